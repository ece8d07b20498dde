"""The hall screen by its view-only link, on a real 16:9 screen, and a tablet told the fair closed."""
import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.fairs.models import Fair
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import Status
from tests.browser.conftest import _page
from tests.browser.helpers import sign_in
from tests.factories import booth, request_in

pytestmark = pytest.mark.browser


@pytest.fixture(params=[(1920, 1080), (1366, 768)], ids=["1080p", "768p"])
def hall_pc(request, browser):
    """The hall's PC: no one signed in, a 16:9 screen."""
    width, height = request.param
    yield from _page(browser, {"viewport": {"width": width, "height": height}, "locale": "zh-CN"})


def box(page, selector):
    return page.locator(selector).first.bounding_box()


LONG_NAME = "国家税务总局泰安高新技术产业开发区税务局第一税务所"


def test_the_screen_link_fills_the_frame_with_no_empty_band_and_no_sign_in(live_server, hall_pc, fair):
    booth(fair, "B02").department.name = LONG_NAME
    db.session.commit()
    request_in(fair, Status.resolved, "B07")
    hall_pc.goto(f"{live_server}/screen/{fair.screen_token}")
    expect(hall_pc.locator(".screen-totals .value").first).to_have_text("1")
    expect(hall_pc.locator(".topbar")).to_have_count(0)
    expect(hall_pc.locator(".screen-latest li")).to_contain_text("B07")
    height = hall_pc.viewport_size["height"]
    totals, booths, frame = box(hall_pc, ".screen-totals"), box(hall_pc, ".screen-booths"), box(hall_pc, "#live")
    assert booths["y"] - (totals["y"] + totals["height"]) < 0.02 * height  # the booths follow the totals
    assert frame["y"] + frame["height"] - (booths["y"] + booths["height"]) < 0.04 * height  # and fill the rest
    last = box(hall_pc, ".screen-booth:last-child")
    assert last["y"] + last["height"] <= height  # every booth on screen, none cut off
    figure = hall_pc.locator(".screen-totals .value").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert figure >= 0.04 * hall_pc.viewport_size["width"]  # read from 10 m
    # A long booth name is shown whole: inside its card, not cut and not running into the next one.
    name = hall_pc.locator(".screen-booth .name", has_text=LONG_NAME)
    expect(name).to_have_text(LONG_NAME)
    card = box(hall_pc, f".screen-booth:has(.name:text-is('{LONG_NAME}'))")
    shown = name.bounding_box()
    assert card["x"] <= shown["x"] and shown["x"] + shown["width"] <= card["x"] + card["width"] + 0.5
    assert card["y"] <= shown["y"] and shown["y"] + shown["height"] <= card["y"] + card["height"] + 0.5
    line = ("e => { const p = e.parentElement;"
            " return p.scrollWidth <= p.clientWidth + 1 && p.scrollHeight <= p.clientHeight + 1 }")
    assert name.evaluate(line)  # its line holds it all (nothing hidden in an overflow)


def test_a_tablet_left_on_its_queue_is_told_when_the_fair_closes(live_server, tablet, fair):
    request_in(fair, Status.in_progress, "B07")
    sign_in(tablet, live_server, "b07")
    tablet.goto(f"{live_server}/staff/booths/{booth(fair, 'B07').id}")
    expect(tablet.locator("#queue")).to_contain_text("B07-001")
    expect(tablet.locator(".closed-banner")).to_have_count(0)
    close_fair(db.session.get(Fair, fair.id), None)
    db.session.commit()
    expect(tablet.locator(".closed-banner")).to_contain_text("大集已闭幕")  # the poll, never reloaded
    expect(tablet.locator(".closed-banner")).to_contain_text("需求台账")


def test_the_latest_outcomes_show_only_whole_rows_on_the_screen(live_server, hall_pc, fair):
    """Eight outcomes: as many as fit under the side's other parts are shown whole; none is cut off at
    the foot of the screen (at 1920 × 1080 the eighth was, halfway)."""
    for n in range(8):
        request_in(fair, Status.resolved if n % 2 else Status.planned, ("B01", "B02", "B07", "F01", "F02")[n % 5])
    hall_pc.goto(f"{live_server}/screen/{fair.screen_token}")
    rows = hall_pc.locator(".screen-latest li")
    expect(rows).to_have_count(8)
    height = hall_pc.viewport_size["height"]
    shown = box(hall_pc, ".screen-latest")
    inside = 0
    for index in range(8):
        row = rows.nth(index).bounding_box()
        within = (row["x"] >= shown["x"] - 0.5 and row["x"] + row["width"] <= shown["x"] + shown["width"] + 0.5
                  and row["y"] >= shown["y"] - 0.5 and row["y"] + row["height"] <= shown["y"] + shown["height"] + 0.5)
        outside = row["x"] >= shown["x"] + shown["width"] - 0.5  # beyond the box's edge, hidden
        assert within or outside, f"row {index + 1} is cut: {row} in {shown}"
        inside += within
        assert not within or row["y"] + row["height"] <= height, f"row {index + 1} runs off the screen"
    assert inside >= 5  # the newest outcomes are there to read
    expect(hall_pc.locator(".screen-colours")).to_be_in_viewport(ratio=1)  # beside the colours, whole
    assert shown["y"] + shown["height"] <= height
