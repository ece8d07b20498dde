"""Extensions asked for and approved, live, on tablets: a department asks for more time, an organiser
refuses with a reason, the department reads it on its open page and asks again, the organiser
approves from the list of requests waiting, and the item's due date moves on the department's page
without a reload."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import ServiceRequest, Status
from tests.browser.conftest import DESKTOP, PHONE, TABLET, _page
from tests.browser.helpers import shot, sign_in
from tests.factories import booth, department_staff, request_in

pytestmark = pytest.mark.browser


@pytest.fixture
def second_tablet(browser):
    """The organiser's own tablet: a context of its own (its own sign-in)."""
    yield from _page(browser, TABLET)


def test_asked_refused_asked_again_and_approved(app, live_server, tablet, second_tablet, fair, organiser):
    app.config.update(LEDGER_POLL_SECONDS=1)
    today = fair_today()
    item = request_in(fair, Status.planned, need="新建厂房需用地30亩，希望了解可供地块。",
                      due=today + timedelta(days=10))
    close_fair(fair, organiser)
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    due, first, second = item.plan_due, today + timedelta(days=60), today + timedelta(days=40)
    ceiling = due + timedelta(days=365)

    # The department asks, on its tablet: the date picker stops at the ceiling.
    department = tablet
    sign_in(department, live_server, "dept-b07")
    department.goto(f"{live_server}/ledger/items/{item.id}")
    department.get_by_text("提出延期申请", exact=True).click()
    expect(department.get_by_label("新的完成时限")).to_have_attribute("max", ceiling.isoformat())
    department.get_by_label("新的完成时限").fill(first.isoformat())
    department.get_by_label("延期原因").fill("企业调整建设方案，需重新编制供地方案")
    department.get_by_role("button", name="提交延期申请").click()
    expect(department.locator("#item-panel")).to_contain_text("已提交延期申请")
    expect(department.locator("#extension-pending")).to_contain_text(first.isoformat())
    expect(department.locator("#due-now")).to_contain_text(due.isoformat())  # nothing moved
    shot(department, "extension-asked-department-tablet")

    # An organiser finds it in the list of requests waiting, and refuses it with a reason.
    boss = second_tablet
    sign_in(boss, live_server, organiser.username)
    boss.goto(f"{live_server}/ledger")
    expect(boss.locator("#extensions-link")).to_contain_text("1项待审批")
    boss.locator("#extensions-link").click()
    expect(boss.locator("table.extension-requests tbody tr")).to_have_count(1)
    shot(boss, "extension-list-organiser-tablet")
    boss.locator("table.extension-requests").get_by_role("link", name="审批").click()
    expect(boss.locator("#extension-pending")).to_contain_text("企业调整建设方案")
    shot(boss, "extension-decision-organiser-tablet")
    boss.get_by_text("不予批准延期", exact=True).click()
    boss.get_by_label("不予批准的原因").fill("调整方案不影响现有地块供地，请按原定时限推进")
    boss.get_by_role("button", name="确认不予批准").click()
    expect(boss.locator("#item-panel")).to_contain_text("已不予批准")

    # The department's open page shows the refusal and its reason by itself; it asks again.
    expect(department.locator("#extension-refused")).to_contain_text("调整方案不影响现有地块供地")
    expect(department.locator("#due-now")).to_contain_text(due.isoformat())
    shot(department, "extension-refused-department-tablet")
    department.reload()
    department.get_by_text("提出延期申请", exact=True).click()
    department.get_by_label("新的完成时限").fill(second.isoformat())
    department.get_by_label("延期原因").fill("企业已提交书面申请，需等待省厅用地预审意见")
    department.get_by_role("button", name="提交延期申请").click()
    expect(department.locator("#extension-pending")).to_contain_text(second.isoformat())

    # The organiser approves it from the list; the department's page shows the new due date.
    boss.goto(f"{live_server}/ledger/extensions")
    boss.locator("table.extension-requests").get_by_role("link", name="审批").click()
    boss.get_by_role("button", name=f"批准延期至 {second.isoformat()}").click()
    expect(boss.locator("#item-panel")).to_contain_text("已批准延期")
    expect(boss.locator("#due-now")).to_contain_text(second.isoformat())
    expect(department.locator("#due-now")).to_contain_text(second.isoformat())
    expect(department.locator("#extension-record")).to_contain_text("已批准")
    expect(department.locator("#extension-record")).to_contain_text("未批准")
    shot(department, "extension-approved-department-tablet")
    db.session.expire_all()
    approved = db.session.get(ServiceRequest, item.id)
    assert (approved.current_due, approved.plan_due, approved.extension_count) == (second, due, 1)


def test_the_extension_pages_at_phone_and_desktop_sizes(app, live_server, browser, fair, organiser):
    """The item with a second extension waiting, and the list, as a phone and a laptop show them."""
    today = fair_today()
    item = request_in(fair, Status.planned, need="技改项目新增用能约2000吨标准煤，申请能耗指标。",
                      due=today + timedelta(days=5))
    close_fair(fair, organiser)
    staff = department_staff(booth(fair, "B07").department, username="dept-b07")
    from kiosk.ledger import moves
    moves.ask_extension(item, staff, item.version, new_due=today + timedelta(days=20), reason="等待省发改委批复",
                        today=today)
    moves.approve_extension(item, organiser, item.version, today=today)
    moves.ask_extension(item, staff, item.version, new_due=today + timedelta(days=45),
                        reason="省发改委要求补充节能审查材料，企业正在编制", today=today)
    db.session.commit()
    for name, options in (("phone", PHONE), ("desktop", DESKTOP)):
        for page in _page(browser, options):
            sign_in(page, live_server, organiser.username)
            page.goto(f"{live_server}/ledger/items/{item.id}")
            expect(page.locator("#extension-ordinal")).to_have_text("第2次延期")
            shot(page, f"extension-second-organiser-{name}")
            page.goto(f"{live_server}/ledger/extensions")
            expect(page.locator("table.extension-requests")).to_contain_text("第2次延期")
            shot(page, f"extension-list-organiser-{name}")
