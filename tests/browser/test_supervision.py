"""Three-colour supervision in the browser: an organiser, at a desk, sees which departments have red
and yellow items, picks two of one department's and issues a supervision notice (督办单) after the
second step; the department's account, on a tablet, finds it on its home and replies on each item;
the organiser's page then says every item is replied. Screenshots of the new pages at phone, tablet
and desktop sizes when KIOSK_SCREENSHOTS names a folder."""
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.service_requests.models import Status
from tests.browser.conftest import PHONE, _page
from tests.browser.helpers import shot, sign_in
from tests.factories import booth, department_staff, request_in

pytestmark = pytest.mark.browser


@pytest.fixture
def coloured(app, fair):
    """At B07, its fair closed 20 days ago: one item overdue, one with no progress since (yellow),
    one due in three days (blue), one due in a month; one overdue at F01."""
    fair.closed_at = datetime.combine(fair_today() - timedelta(days=20), time(2))
    made = {}
    for name, at, due, noted, need in (
            ("red", "B07", -2, True, "新建厂房需用地30亩，希望了解可供地块。"),
            ("yellow", "B07", 30, False, "申请技术改造专项资金，需要了解申报条件。"),
            ("blue", "B07", 3, True, "办理排污许可证变更。"),
            ("normal", "B07", 40, True, "申请高新技术企业认定辅导。"),
            ("other", "F01", -1, True, "流动资金贷款500万元。")):
        item = request_in(fair, Status.planned, at, need=need)
        item.plan_due = item.current_due = fair_today() + timedelta(days=due)
        item.last_progress_on = fair_today() if noted else None
        item.acknowledged_at = datetime(2026, 1, 1, tzinfo=UTC)
        made[name] = item
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    return made


def test_an_organiser_issues_a_notice_and_the_department_replies_on_a_tablet(
        app, live_server, laptop, tablet, coloured, organiser):
    department = coloured["red"].booth.department
    # The organiser sees the department's colours on the ledger and on the supervision page.
    sign_in(laptop, live_server, organiser.username)
    laptop.goto(f"{live_server}/ledger?department={department.id}")
    strip = laptop.locator("#ledger-colours")
    expect(strip).to_contain_text("红色·逾期")
    expect(laptop.locator("#ledger-colours-yellow")).to_have_text("1")
    shot(laptop, "supervision-ledger-colours-desktop")
    strip.get_by_role("link", name="黄色·滞后").click()
    expect(laptop.locator("table.ledger tbody tr")).to_have_count(1)
    expect(laptop.locator("table.ledger tbody")).to_contain_text("久无进展")

    laptop.goto(f"{live_server}/supervision/notices")
    row = laptop.locator("#colours-by-department tr", has_text=department.name)
    expect(row).to_contain_text("发督办单")
    shot(laptop, "supervision-notices-organiser-desktop")
    row.get_by_role("link", name="发督办单").click()
    ticked = laptop.locator("input[name=items]:checked")
    expect(ticked).to_have_count(2)
    laptop.get_by_label("督办意见", exact=True).fill("请于回复期限前说明逾期和无进展的原因、已采取的措施和办结时间。")
    laptop.get_by_text("发出督办单…").click()
    laptop.get_by_role("button", name="发出督办单", exact=True).click()
    expect(laptop.locator("#notice-issue-error")).to_be_visible()  # the second step was not taken
    laptop.get_by_label("我已核对勾选的事项和督办意见").check()
    shot(laptop, "supervision-new-notice-desktop")
    laptop.get_by_role("button", name="发出督办单", exact=True).click()
    expect(laptop.locator("#notice-head")).to_contain_text("督办〔")
    expect(laptop.locator("#notice-state")).to_have_text("待回复")
    expect(laptop.locator(".notice-item")).to_have_count(2)
    notice_url = laptop.url

    # The department's account, on a tablet: its home lists the notice; it replies on each item.
    sign_in(tablet, live_server, "dept-b07")
    expect(tablet.locator("#notice-box")).to_contain_text("督办单：1 份待回复")
    shot(tablet, "supervision-department-home-tablet")
    tablet.locator("#notice-box a").first.click()
    replies = ("已完成选址论证，土地报批材料已报市政府，预计本月底办结。", "已补充办理进展，下周完成申报辅导。")
    for n, text in enumerate(replies):
        item = tablet.locator(".notice-item").nth(n)
        item.get_by_text("回复督办").click()
        item.get_by_label("回复内容").fill(text)
        item.get_by_role("button", name="提交回复").click()
        expect(tablet.locator(".notice-item").nth(n)).to_contain_text(text)
    expect(tablet.locator("#notice-state")).to_have_text("已全部回复")
    shot(tablet, "supervision-notice-replied-tablet")
    tablet.goto(f"{live_server}/ledger")
    expect(tablet.locator("#notice-box")).to_have_count(0)

    # The organiser's page says so.
    laptop.goto(notice_url)
    expect(laptop.locator("#notice-state")).to_have_text("已全部回复")
    expect(laptop.locator("#replied")).to_contain_text("已回复 2 项，共 2 项")
    shot(laptop, "supervision-notice-replied-desktop")


def test_the_supervision_pages_read_on_a_phone(app, live_server, browser, phone, coloured, organiser):
    """No page of it runs wider than a phone's screen, the department's nor the organisers'."""
    from kiosk.supervision import notices
    notice = notices.issue(coloured["red"].booth.department, organiser,
                           {i.id: i.version for i in (coloured["red"], coloured["yellow"])},
                           reply_by=fair_today() + timedelta(days=5), text="请说明情况", today=fair_today())
    db.session.commit()
    department = coloured["red"].booth.department_id
    boss_pages = _page(browser, PHONE)
    boss = next(boss_pages)
    sign_in(phone, live_server, "dept-b07")
    sign_in(boss, live_server, organiser.username)
    new_notice = f"/supervision/notices/new?department={department}"
    for page, path, name in ((phone, f"/supervision/notices/{notice.id}", "supervision-notice-phone"),
                             (phone, "/ledger", "supervision-department-home-phone"),
                             (boss, "/supervision/notices", "supervision-notices-phone"),
                             (boss, new_notice, "supervision-new-notice-phone")):
        page.goto(f"{live_server}{path}")
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        shot(page, name)
    next(boss_pages, None)


def test_the_dashboard_and_the_hall_screen_show_the_colours_with_their_words(
        app, live_server, laptop, browser, fair, coloured, organiser):
    sign_in(laptop, live_server, organiser.username)
    laptop.goto(f"{live_server}/organiser/fairs/{fair.id}/dashboard")
    counts = laptop.locator("#dashboard-colours")
    expect(counts).to_contain_text("黄色·滞后")
    expect(laptop.locator("#dashboard-colours-red")).to_have_text("2")
    shot(laptop, "supervision-dashboard-desktop")
    counts.get_by_role("link", name="红色·逾期").click()
    expect(laptop.locator("table.ledger tbody tr")).to_have_count(2)
    pages = _page(browser, {"viewport": {"width": 1920, "height": 1080}, "locale": "zh-CN"})
    screen = next(pages)
    screen.goto(f"{live_server}/screen/{fair.screen_token}")
    colours = screen.locator(".screen-colours")
    expect(colours).to_be_in_viewport()
    expect(screen.locator("#screen-colour-red")).to_have_text("2")
    expect(colours).to_contain_text("滞后")
    shot(screen, "supervision-hall-screen")
    next(pages, None)
