"""The close with requests still open, in a real browser: an organiser at a desktop hands two over and
ends one with a reason, is asked for the second step, and confirms; the company's phone then says
which department has its request and by when. The close page is looked at on a phone, a tablet and
a desktop (KIOSK_SCREENSHOTS=dir keeps the pictures)."""
import re

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Fair, FairStatus
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.models import ServiceRequest, Status
from tests.browser.conftest import DESKTOP, PHONE, TABLET, _page
from tests.browser.helpers import shot, sign_in
from tests.factories import booth, request_in

pytestmark = pytest.mark.browser

DEVICES = {"phone": PHONE, "tablet": TABLET, "desktop": DESKTOP}


@pytest.fixture
def desktop(browser):
    yield from _page(browser, DESKTOP)


@pytest.fixture
def open_at_close(fair):
    """Three requests nobody finished: two at B07 (one waiting, one in progress), one waiting at B02;
    and one resolved at B01, which the close leaves as it is."""
    request_in(fair, Status.resolved, "B01")
    return {"waiting": request_in(fair, Status.waiting, "B07", need="新建厂房需用地30亩，希望了解可供地块。"),
            "in_progress": request_in(fair, Status.in_progress, "B07"),
            "b02": request_in(fair, Status.waiting, "B02")}


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def test_an_organiser_hands_two_over_ends_one_and_the_company_reads_who_has_it_and_by_when(
        live_server, desktop, browser, fair, organiser, open_at_close):
    items = open_at_close
    sign_in(desktop, live_server, "organiser")
    desktop.goto(f"{live_server}/organiser/fairs/{fair.id}")
    desktop.get_by_role("link", name="闭幕并冻结统计…").click()
    expect(desktop.get_by_role("heading", name="仍未办完：2项待受理，1项正在办理")).to_be_visible()
    rows = desktop.locator("table.close-list tbody tr")
    expect(rows).to_have_count(3)
    deadline = add_working_days(fair_today(), 5)
    expect(desktop.get_by_label("会后办理答复时限")).to_have_value(deadline.isoformat())
    # Every request is handed over unless changed: B02's company never came back.
    ends = {name: desktop.get_by_label(f"{item.ticket_no} 闭幕时的去向") for name, item in items.items()}
    for select in ends.values():
        expect(select).to_have_value("handover")
    ends["b02"].select_option(label="结束：企业未返回")
    shot(desktop, "close-open-requests-desktop")
    # The first button opens the box; without the tick the close is refused, the choices kept.
    box = desktop.locator("#fair-close")
    box.locator("summary").click()
    expect(box).to_contain_text("将会：闭幕，冻结统计。上面列出的3项需求按各自选择的去向转会后办理")
    box.get_by_role("button", name="确认闭幕").click()
    expect(desktop.locator("#fair-close .error")).to_contain_text("还没有勾选确认")
    expect(desktop.get_by_label(f"{items['b02'].ticket_no} 闭幕时的去向")).to_have_value("no_return")
    assert db.session.get(Fair, fair.id).status is FairStatus.open
    # The tick, then the button: closed, each as chosen.
    desktop.locator("#fair-close").get_by_label("我已核对仍未办完的需求及其去向，确认闭幕").check()
    desktop.locator("#fair-close").get_by_role("button", name="确认闭幕").click()
    expect(desktop.locator(".flash, .notice").first).to_contain_text(
        f"大集已闭幕，统计已冻结。2项转会后办理，答复时限{deadline.isoformat()}。1项已结束。")
    db.session.expire_all()
    assert db.session.get(Fair, fair.id).status is FairStatus.closed
    assert [fresh(items[n]).status for n in ("waiting", "in_progress", "b02")] == [
        Status.planned, Status.planned, Status.withdrawn]
    assert fresh(items["b02"]).end_reason is EndReason.no_return
    shot(desktop, "close-open-requests-closed-desktop")

    # The company's phone: who has it now, and by when.
    for page in _page(browser, PHONE):
        page.goto(f"{live_server}/t/{items['waiting'].token}")
        department = booth(fair, "B07").department.name
        expect(page.locator("#track-status .badge").first).to_have_text("会后办理")
        expect(page.locator("#track-handover")).to_contain_text(f"转交 {department} 会后办理")
        expect(page.locator("#track-handover-due")).to_contain_text(f"答复时限：{deadline.isoformat()}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing runs off the phone's screen
        shot(page, "close-open-requests-track-phone")
        page.goto(f"{live_server}/t/{items['b02'].token}")
        expect(page.locator("#track-ended")).to_contain_text("原因：企业未返回")
        shot(page, "close-open-requests-ended-phone")


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_close_page_reads_on_every_screen_and_its_bulk_buttons_work_without_a_script(
        live_server, browser, fair, organiser, open_at_close, device):
    for page in _page(browser, {**DEVICES[device], "java_script_enabled": device != "phone"}):
        sign_in(page, live_server, "organiser")
        page.goto(f"{live_server}/organiser/fairs/{fair.id}/close")
        page.get_by_role("button", name="全部结束：企业未返回").click()
        for item in open_at_close.values():
            expect(page.get_by_label(f"{item.ticket_no} 闭幕时的去向")).to_have_value("no_return")
        page.get_by_role("button", name="全部转会后办理").click()
        for item in open_at_close.values():
            expect(page.get_by_label(f"{item.ticket_no} 闭幕时的去向")).to_have_value("handover")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= DEVICES[device]["viewport"]["width"], width
        page.locator("#fair-close summary").click()
        shot(page, f"close-open-requests-box-{device}")
        assert db.session.get(Fair, fair.id).status is FairStatus.open


def test_the_tablet_of_a_closed_fair_shows_what_the_close_did_with_each_request(
        live_server, tablet, fair, organiser, open_at_close):
    from kiosk.organiser.fair_lifecycle import close_fair
    items = open_at_close
    close_fair(db.session.get(Fair, fair.id), organiser, {items["waiting"].id: None, items["in_progress"].id: None,
                                                          items["b02"].id: EndReason.duplicate})
    db.session.commit()
    sign_in(tablet, live_server, "b07")
    tablet.goto(f"{live_server}/staff/booths/{booth(fair, 'B07').id}")
    expect(tablet.locator(".closed-banner")).to_contain_text("转会后办理")
    row = tablet.locator(f'tr[data-id="{items["waiting"].id}"]')
    expect(row.locator(".badge")).to_have_text("会后办理")
    shot(tablet, "close-open-requests-queue-tablet")
    tablet.goto(f"{live_server}/staff/requests/{items['waiting'].id}")
    expect(tablet.locator("#after-close")).to_contain_text(re.compile(r"答复时限 \d{4}-\d{2}-\d{2}"))
