"""A company's phone follows its place in its booth's line while staff call and finish the tickets
ahead on the tablet, to its own call; the tablet's waiting rows say how long each has waited, and a
long one stands out once its minutes pass the setting, with no change in the queue."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.service_requests.models import ServiceRequest
from tests.browser.conftest import PHONE, TABLET
from tests.browser.helpers import shot, sign_in
from tests.factories import request_in

pytestmark = pytest.mark.browser

def filed_minutes_ago(item, minutes):
    db.session.get(ServiceRequest, item.id).created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def finish_called(tablet, ticket, queue_url):
    """Take the called ticket up from the calling bar, resolve it on its page, back to the queue."""
    tablet.locator(".called-ticket", has_text=ticket).get_by_role("button", name="开始办理").click()
    expect(tablet.locator("#request-panel .badge").first).to_have_text("办理中")
    tablet.locator("summary", has_text="现场办结").first.click()
    tablet.get_by_label("办理情况").fill("当场办结。")
    tablet.get_by_role("button", name="确认现场办结").click()
    expect(tablet.locator("#request-panel")).to_contain_text("已记录为现场办结")
    tablet.goto(queue_url)


def test_the_phone_sees_its_place_go_from_two_to_one_to_next_to_called(live_server, browser, tablet, phone, fair):
    first, second, mine = request_in(fair), request_in(fair), request_in(fair)
    filed_minutes_ago(first, 20)  # waiting longer than KIOSK_LONG_WAIT_MINUTES
    filed_minutes_ago(second, 6)
    filed_minutes_ago(mine, 2)

    phone.goto(f"{live_server}/t/{mine.token}")
    place = phone.locator("#track-place")
    expect(place).to_contain_text("前面还有 2 位")
    expect(place).to_contain_text("预计等候约 20 分钟")  # no outcome yet: 8 minutes each, 2½ of them
    shot(phone, "phone-390-place-2")

    sign_in(tablet, live_server, "b07")
    queue_url = tablet.url
    long_row = tablet.locator("tr[data-id]", has_text=first.ticket_no)
    expect(long_row).to_have_class(re.compile("long-wait"))
    expect(long_row).to_contain_text("已等 20 分钟")
    expect(long_row).to_contain_text("等候较久")
    expect(tablet.locator("tr[data-id]", has_text=second.ticket_no)).to_contain_text("已等 6 分钟")
    shot(tablet, "tablet-queue-waits")

    # Staff call the first: it leaves the line, and the phone's place moves at its next poll.
    tablet.get_by_role("button", name="叫下一位").click()
    expect(tablet.locator(".called-ticket")).to_contain_text(first.ticket_no)
    expect(place).to_contain_text("前面还有 1 位")
    shot(phone, "phone-390-place-1")
    finish_called(tablet, first.ticket_no, queue_url)

    tablet.get_by_role("button", name="叫下一位").click()
    expect(tablet.locator(".called-ticket")).to_contain_text(second.ticket_no)
    expect(place).to_contain_text("下一位就是您")
    finish_called(tablet, second.ticket_no, queue_url)

    tablet.get_by_role("button", name="叫下一位").click()
    called = phone.locator("#track-called")
    expect(called).to_contain_text("请到 B07 摊位")
    expect(phone.locator("#track-place")).to_have_count(0)
    shot(phone, "phone-390-called")


def test_a_row_crosses_the_long_wait_on_the_tablet_with_no_change_in_the_queue(live_server, browser, fair):
    item = request_in(fair)
    db.session.get(ServiceRequest, item.id).created_at = utcnow() - timedelta(minutes=14, seconds=40)
    db.session.commit()
    context = browser.new_context(**TABLET)
    tablet = context.new_page()
    tablet.clock.install()  # the tablet's clock runs as the real one, until the test moves it on
    sign_in(tablet, live_server, "b07")
    row = tablet.locator("tr[data-id]", has_text=item.ticket_no)
    expect(row).to_contain_text("已等 14 分钟")
    expect(row).not_to_have_class(re.compile("long-wait"))
    # Nothing changes on the server, so every poll after the first (the page itself carries no
    # tag) is answered 304 and leaves the rows as the server wrote them. 30 s on, by the tablet's
    # clock (the server's has not moved: it would still say 14), the script has worked the minutes
    # out again: the row says 15 and stands out, in words too.
    for _ in range(2):
        tablet.wait_for_event("response", lambda response: "/staff/booths/" in response.url)
    tablet.clock.fast_forward("00:30")
    expect(row).to_contain_text("已等 15 分钟")
    expect(row).to_have_class(re.compile("long-wait"))
    expect(row.locator(".long-word")).to_be_visible()
    shot(tablet, "tablet-long-wait")
    context.close()


@pytest.mark.parametrize("size", [{"width": 360, "height": 640}, {"width": 390, "height": 844}], ids=["360", "390"])
def test_the_place_reads_on_a_small_phone(live_server, browser, fair, size):
    for _ in range(3):
        request_in(fair)
    mine = request_in(fair)
    context = browser.new_context(**{**PHONE, "viewport": size})
    phone = context.new_page()
    phone.goto(f"{live_server}/t/{mine.token}")
    place = phone.locator("#track-place")
    expect(place).to_contain_text("前面还有 3 位")
    # in view without scrolling, just under the ticket's number and status
    box = place.bounding_box()
    assert box["y"] + box["height"] <= size["height"], box
    assert box["width"] <= size["width"]
    shot(phone, f"phone-{size['width']}-place")
    context.close()
