"""Calling (叫号) in the browser: staff call the next ticket on the tablet, the company's phone shows
where to go at its next poll and vibrates, the hall screen shows the call in type read from 10 m, and
a skipped ticket comes back once, then is marked a no-show."""
import time

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.service_requests.models import Status
from tests.browser.conftest import PHONE, _page
from tests.browser.helpers import shot, sign_in
from tests.factories import booth, request_in

pytestmark = pytest.mark.browser

#: counts the calls to navigator.vibrate, which headless chromium has but never feels
VIBRATE_SPY = "navigator.vibrate = function (p) { window.__vibrated = (window.__vibrated || 0) + 1; return true; };"


def vibrated_again(page, timeout=5.0):
    """Waits for the second vibration (wait_for_function's polling evaluates strings, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while page.evaluate("window.__vibrated") != 2:
        assert time.monotonic() < deadline, "the phone did not vibrate at the second call"
        page.wait_for_timeout(100)


@pytest.fixture(params=[(390, 844), (360, 640)], ids=["390", "360"])
def company_phone(request, browser):
    width, height = request.param
    yield from _page(browser, {**PHONE, "viewport": {"width": width, "height": height}})


def test_staff_call_next_and_the_companys_phone_shows_where_to_go(live_server, tablet, company_phone, fair):
    item = request_in(fair)
    request_in(fair)
    company_phone.add_init_script(VIBRATE_SPY)
    company_phone.goto(f"{live_server}/t/{item.token}")
    expect(company_phone.locator("#track-status")).to_contain_text("待受理")
    expect(company_phone.locator("#track-called")).to_have_count(0)

    sign_in(tablet, live_server, "b07")
    tablet.get_by_role("button", name="叫下一位").click()
    called = tablet.locator(".called-ticket")
    expect(called).to_contain_text("B07-001")
    expect(tablet.locator("tr[data-id]", has_text="B07-001")).to_contain_text("已叫号")
    shot(tablet, "calling-tablet")

    # The phone, never reloaded, shows where to go at its next poll, large, and vibrated once.
    go = company_phone.locator("#track-called .called-go")
    expect(go).to_have_text("请到 B07 摊位")
    expect(company_phone.locator("#track-called")).to_contain_text("要素保障部门专区")
    assert company_phone.evaluate("window.__vibrated") == 1
    size = go.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 28
    box = go.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= company_phone.viewport_size["width"]
    assert box["y"] + box["height"] <= company_phone.viewport_size["height"]  # seen without scrolling
    shot(company_phone, f"calling-phone-{company_phone.viewport_size['width']}")

    # Call again: the phone vibrates again; taking it up ends the call.
    called.get_by_role("button", name="再次叫号").click()
    expect(tablet.locator(".notice, [role=alert]").first).to_contain_text("已再次叫号")
    vibrated_again(company_phone)
    tablet.locator(".called-ticket").get_by_role("button", name="开始办理").click()
    expect(tablet.locator("#request-panel .badge").first).to_have_text("办理中")
    expect(company_phone.locator("#track-status")).to_contain_text("办理中")
    expect(company_phone.locator("#track-called")).to_have_count(0)


@pytest.fixture(params=[(1920, 1080), (1366, 768)], ids=["1080p", "768p"])
def hall_pc(request, browser):
    width, height = request.param
    yield from _page(browser, {"viewport": {"width": width, "height": height}, "locale": "zh-CN"})


def test_the_hall_screen_shows_a_call_within_its_poll_in_type_read_from_10_m(live_server, app, hall_pc, fair):
    app.config["DASHBOARD_POLL_SECONDS"] = 2
    for n in range(6):
        request_in(fair, Status.resolved if n % 2 else Status.waiting, ("B01", "B02", "B07", "F01", "F02")[n % 5])
    request_in(fair)
    hall_pc.goto(f"{live_server}/screen/{fair.screen_token}")
    expect(hall_pc.locator(".screen-totals .value").first).to_be_visible()
    expect(hall_pc.locator(".screen-calls")).to_have_count(0)

    from kiosk.service_requests import calling
    from tests.factories import an_organiser
    for code in ("B07", "B01", "F02"):
        calling.call_next(booth(fair, code), an_organiser())
    db.session.commit()
    band = hall_pc.locator(".screen-calls")
    expect(band).to_be_visible(timeout=2 * 2000 + 1000)  # within its poll period
    newest = band.locator("li").first
    expect(newest).to_contain_text("F02")
    width, height = hall_pc.viewport_size["width"], hall_pc.viewport_size["height"]
    for part in (".ticket", ".go", ".zone"):
        size = newest.locator(part).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        glyph = newest.locator(part).bounding_box()["height"]
        assert size >= height / 20 and glyph >= height / 20, (part, size, glyph)
    if height == 1080:
        assert newest.locator(".ticket").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 54
    # The band shows whole calls only, and the figures all stay whole on the screen.
    shown = band.locator("ol").bounding_box()
    for index in range(band.locator("li").count()):
        row = band.locator("li").nth(index).bounding_box()
        inside = row["y"] + row["height"] <= shown["y"] + shown["height"] + 0.5
        assert inside or row["y"] >= shown["y"] + shown["height"] - 0.5, f"call {index + 1} is cut"
        assert not inside or row["x"] + row["width"] <= shown["x"] + shown["width"] + 0.5
    for selector in (".screen-head", ".screen-totals", ".screen-side .chart-legend", ".screen-latest"):
        part = hall_pc.locator(selector).first.bounding_box()
        assert part["y"] >= 0 and part["y"] + part["height"] <= height + 0.5, selector
        assert part["x"] >= 0 and part["x"] + part["width"] <= width + 0.5, selector
    booths = hall_pc.locator(".screen-booth")
    for index in range(booths.count()):
        card = booths.nth(index).bounding_box()
        assert card["y"] + card["height"] <= height + 0.5, f"booth {index + 1} runs off the screen"
    for value in hall_pc.locator(".screen-totals .value").all():
        assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    shot(hall_pc, f"calling-hall-{width}x{height}")


def test_a_skipped_ticket_comes_back_once_then_is_marked_a_no_show(live_server, app, tablet, phone, fair):
    app.config["SKIP_GRACE_MINUTES"] = 0  # back in line at once, at its end
    skipped, other = request_in(fair), request_in(fair)
    phone.goto(f"{live_server}/t/{skipped.token}")
    sign_in(tablet, live_server, "b07")
    call_next = tablet.get_by_role("button", name="叫下一位")

    call_next.click()
    expect(tablet.locator(".called-ticket")).to_contain_text("B07-001")
    tablet.locator(".called-ticket").get_by_role("button", name="过号").click()
    expect(tablet.locator("tr[data-id]", has_text="B07-001")).to_contain_text("已过号")
    # It went back to the end of the line: the other is called first, and taken up.
    # Skipped, it is listed after the called ones, to call again or take up if the company comes.
    expect(tablet.locator(".called-ticket.skipped")).to_contain_text("B07-001")
    call_next.click()
    now_called = tablet.locator(".called-ticket:not(.skipped)")
    expect(now_called).to_contain_text("B07-002")
    shot(tablet, "calling-tablet-skipped")
    now_called.get_by_role("button", name="开始办理").click()
    expect(tablet.locator("#request-panel .badge").first).to_have_text("办理中")
    tablet.get_by_role("link", name="返回队列").click()

    # Called once more; not here again: a no-show, still open.
    tablet.get_by_role("button", name="叫下一位").click()
    expect(tablet.locator(".called-ticket")).to_contain_text("B07-001")
    tablet.locator(".called-ticket").get_by_role("button", name="过号").click()
    row = tablet.locator("tr[data-id]", has_text="B07-001")
    expect(row).to_contain_text("未到场")
    expect(row).to_contain_text("待受理")
    expect(tablet.locator(".called-ticket")).to_have_count(0)
    tablet.get_by_role("button", name="叫下一位").click()
    expect(tablet.locator("body")).to_contain_text("当前没有排队等候的企业")
    expect(phone.locator("#track-called")).to_contain_text("两次叫号未到场")
    assert other.id != skipped.id
