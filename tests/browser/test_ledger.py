"""The demand ledger after the fair, live: a department's staff record progress and ask for close-out
on a tablet, an organiser confirms it on a laptop, and the company's tracking page shows it and
takes the company's confirmation, which the organiser's open page shows without a reload."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import Status
from tests.browser.helpers import shot, sign_in
from tests.factories import booth, department_staff, request_in

pytestmark = pytest.mark.browser

#: where to leave screenshots for a person to look at, if anywhere (a full-page screenshot makes
#: the browser report inline styles, which the CSP check would count)


def test_department_reports_organiser_closes_out_and_the_company_confirms(
        app, live_server, tablet, laptop, phone, fair, organiser):
    app.config.update(LEDGER_POLL_SECONDS=1)
    item = request_in(fair, Status.planned, need="新建厂房需用地30亩，希望了解可供地块。")
    request_in(fair, Status.planned, at="B01")  # another department's: not on B07's ledger
    close_fair(fair, organiser)
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()

    # The department's staff, on a tablet, the week after the fair.
    sign_in(tablet, live_server, "dept-b07")
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("需求台账")
    rows = tablet.locator("table.ledger tbody tr")
    expect(rows).to_have_count(1)
    shot(tablet, "ledger-department-tablet")
    rows.get_by_role("link", name="B07-001").click()
    tablet.get_by_text("记录办理进展", exact=True).click()
    tablet.get_by_label("办理进展", exact=True).fill("已完成现场踏勘，正在编制供地方案。")
    tablet.get_by_role("button", name="保存进展").click()
    expect(tablet.locator("#item-panel")).to_contain_text("已记录办理进展")
    tablet.get_by_text("办结，申请销号", exact=True).click()
    tablet.get_by_label("办理结果").fill("已完成供地，签订土地出让合同。")
    tablet.get_by_label("佐证材料").fill("合同编号 TA-2026-031")
    tablet.get_by_role("button", name="提交办结情况").click()
    expect(tablet.locator("#item-panel")).to_contain_text("已申请销号，等待组织方确认")
    expect(tablet.get_by_role("button", name="确认销号")).to_have_count(0)  # not the department's to confirm
    shot(tablet, "ledger-item-department-tablet")

    # The company's link, kept since the fair, shows the progress and the result.
    phone.goto(f"{live_server}/t/{item.token}")
    expect(phone.locator("#after-fair")).to_contain_text("已完成现场踏勘")
    expect(phone.locator("#after-fair")).to_contain_text("已完成供地，签订土地出让合同")
    expect(phone.locator("form.verdict")).to_have_count(0)

    # An organiser confirms it from the ledger's "awaiting close-out" view.
    sign_in(laptop, live_server, organiser.username)
    laptop.goto(f"{live_server}/ledger")
    laptop.get_by_role("link", name="待销号确认").click()
    laptop.locator("table.ledger").get_by_role("link", name="B07-001").click()
    laptop.get_by_role("button", name="确认销号").click()
    expect(laptop.locator("#item-panel")).to_contain_text("已销号。")
    shot(laptop, "ledger-item-organiser-desktop")

    # The company confirms, once; the organiser's open page shows it by itself.
    phone.reload()
    verdict = phone.locator("form.verdict")
    expect(verdict).to_contain_text("问题是否已经解决")
    shot(phone, "ledger-track-verdict-phone")
    verdict.get_by_role("button", name="提交确认").click()
    expect(phone.locator("form.verdict")).to_contain_text("请选择确认或提出异议")
    phone.locator("form.verdict").get_by_text("确认已解决", exact=True).click()
    phone.locator("form.verdict").get_by_text("非常满意", exact=True).click()
    phone.locator("form.verdict").get_by_role("button", name="提交确认").click()
    expect(phone.locator("#track-verdict")).to_contain_text("您已确认问题已解决")
    expect(phone.locator("form.verdict")).to_have_count(0)
    expect(laptop.locator("#verdict")).to_contain_text("企业确认已解决")
    expect(laptop.locator(".ledger-timeline")).to_contain_text("企业确认办结")
    shot(phone, "ledger-track-confirmed-phone")


def test_a_closed_out_items_page_on_a_phone_starts_with_the_verdict_and_folds_the_history(
        live_server, phone, fair, organiser):
    """It ran to about 2,900 px on a 390 px phone, the confirm-or-dispute form halfway down."""
    item = request_in(fair, Status.planned, need="新建厂房需用地30亩，希望了解可供地块。",
                      due=date.today() + timedelta(days=5))
    staff = department_staff(item.booth.department)
    moves.progress(item, staff, item.version, text="已完成现场踏勘，正在编制供地方案。")
    moves.ask_extension(item, staff, item.version, new_due=date.today() + timedelta(days=30),
                        reason="等待省厅用地指标", today=date.today())
    moves.approve_extension(item, organiser, item.version, today=date.today())
    moves.finish(item, staff, item.version, result="已完成供地，签订土地出让合同。", evidence="合同编号 TA-2026-031")
    moves.confirm(item, organiser, item.version)
    db.session.commit()
    close_fair(fair, organiser)
    db.session.commit()
    phone.goto(f"{live_server}/t/{item.token}")
    confirm = phone.locator("form.verdict").get_by_text("确认已解决", exact=True)
    expect(confirm).to_be_in_viewport()
    trail = phone.locator("details.history .timeline, details.history h2", has_text="办理轨迹").first
    expect(trail).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollHeight") <= 1600
    phone.get_by_text("需求、方案和办理经过").click()
    expect(trail).to_be_visible()
    expect(phone.locator("details.history")).to_contain_text("等待省厅用地指标")
