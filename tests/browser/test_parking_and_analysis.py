"""Parking (挂账) and the bottleneck analysis (共性堵点) in the browser: a department asks on a tablet to
park an overdue item, an organiser approves it on a laptop, and the item shows 挂账 with its cause and
review date; the analysis page reads on a desktop and on a phone."""
import os
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import Category, Status
from tests.browser.conftest import PHONE, _page
from tests.browser.helpers import SHOTS, shot, sign_in
from tests.factories import CODE_B, an_organiser, booth, department_staff, request_in

pytestmark = pytest.mark.browser

REVIEW = date.today() + timedelta(days=40)


@pytest.fixture
def small_phone(browser):
    yield from _page(browser, PHONE)


def _overdue(fair, at="B07", **kwargs):
    item = request_in(fair, Status.planned, at, need="新建厂房需用地30亩，需调整用地指标。", **kwargs)
    item.plan_due = item.current_due = date.today() - timedelta(days=12)
    db.session.commit()
    return item


def test_a_department_asks_to_park_an_organiser_approves_and_the_item_shows_it(
        app, live_server, tablet, laptop, phone, fair, organiser):
    item = _overdue(fair)
    close_fair(fair, organiser)
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()

    sign_in(tablet, live_server, "dept-b07")
    tablet.goto(f"{live_server}/ledger/items/{item.id}")
    card = tablet.locator("#parking")
    card.get_by_text("申请挂账", exact=True).click()
    card.get_by_role("button", name="提交挂账申请").click()  # nothing chosen yet: told, nothing kept
    expect(card).to_contain_text("请选择挂账原因")
    card.get_by_label("需上级协调解决").check()
    card.get_by_label("情况说明").fill("需省自然资源厅调整用地指标，市级无权限，已行文请示。")
    card.get_by_label("复核日期").fill(REVIEW.isoformat())
    shot(tablet, "parking-ask-tablet")
    card.get_by_role("button", name="提交挂账申请").click()
    expect(tablet.locator("#parking")).to_contain_text("挂账待审批")
    expect(tablet.locator("#parking")).to_contain_text("等待组织方审批")
    shot(tablet, "parking-asked-tablet")

    sign_in(laptop, live_server, organiser.username)
    laptop.goto(f"{live_server}/ledger?status=parking_asked")
    laptop.get_by_role("link", name=item.ticket_no).first.click()
    card = laptop.locator("#parking")
    card.get_by_text("批准挂账", exact=True).click()
    card.get_by_label("审批意见（可不填）").fill("同意，由推进办协调省厅。")
    card.get_by_role("button", name="确认批准").click()
    card = laptop.locator("#parking")
    expect(card).to_contain_text("挂账中")
    expect(card.locator("#park-cause")).to_have_text("需上级协调解决")
    expect(card.locator("#parked-until")).to_contain_text(REVIEW.isoformat())
    expect(laptop.locator("#item-live")).not_to_contain_text("逾期")  # parked: not overdue
    shot(laptop, "parking-approved-desktop")

    tablet.goto(f"{live_server}/ledger?status=parked")
    expect(tablet.locator("table.ledger tbody tr")).to_have_count(1)
    shot(tablet, "ledger-parked-tablet")

    # The company, on its phone, reads that its request waits and until when, not why.
    phone.goto(f"{live_server}/t/{item.token}")
    expect(phone.locator("#track-parked")).to_contain_text(REVIEW.isoformat())
    expect(phone.locator("body")).not_to_contain_text("市级无权限")
    shot(phone, "parking-tracking-phone")


def test_the_analysis_reads_on_a_desktop_and_on_a_phone(app, live_server, laptop, small_phone, tablet, fair,
                                                        organiser):
    from kiosk.service_requests.after_fair import ParkCause
    from kiosk.supervision import parking
    parked = _overdue(fair)
    for at, category in (("B01", Category.land), ("B01", Category.land), ("F01", Category.funding)):
        _overdue(fair, at, category=category, credit_code=CODE_B, company_name="乙公司")
    disputed = request_in(fair, Status.closed_out, "B02", category=Category.approvals)
    moves.company_verdict(disputed, accepted=False, rating=2, words="手续仍未办完")
    staff = department_staff(parked.booth.department)
    today = date.today()
    parking.ask(parked, staff, parked.version, cause=ParkCause.higher_level, explanation="需省厅审批",
                review_on=REVIEW, today=today)
    parking.approve(parked, an_organiser(), parked.version, note=None, today=today)
    db.session.commit()

    sign_in(laptop, live_server, organiser.username)
    laptop.get_by_role("link", name="共性堵点").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("共性堵点分析")
    expect(laptop.locator("#total-flagged")).to_have_text("5")
    expect(laptop.locator("#total-companies")).to_have_text("2")
    expect(laptop.locator("#by-cause")).to_contain_text("需上级协调解决")
    shot(laptop, "analysis-desktop")
    laptop.locator("#by-department tr", has_text="自然资源和规划局").get_by_role("link").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("涉及企业")
    expect(laptop.locator("main")).to_contain_text("乙公司")
    shot(laptop, "analysis-companies-desktop")

    sign_in(tablet, live_server, organiser.username)
    tablet.goto(f"{live_server}/supervision/analysis")
    expect(tablet.locator("#total-flagged")).to_have_text("5")
    shot(tablet, "analysis-tablet")

    sign_in(small_phone, live_server, organiser.username)
    small_phone.goto(f"{live_server}/supervision/analysis")
    expect(small_phone.locator("#total-parked")).to_have_text("1")
    # Nothing wider than the phone but the tables, which scroll in their own box
    overflow = small_phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shot(small_phone, "analysis-phone")
    if SHOTS:  # the long page in pieces a person can read
        for part in ("analysis-totals", "chart-categories", "chart-departments", "by-category", "groups"):
            small_phone.locator(f"#{part}").screenshot(path=os.path.join(SHOTS, f"analysis-phone-{part}.png"))
