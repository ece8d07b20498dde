"""The booth queue's waiting rows say how long each has waited, a long wait stands out in words, and
the unchanged poll stays a 304 (app.js moves the minutes on from the rows' data-since)."""
import re
from datetime import timedelta

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.service_requests.models import EventKind, RequestEvent, Status
from tests.factories import booth, request_in
from tests.helpers import login

POLL = {"HX-Request": "true"}


def filed_minutes_ago(item, minutes):
    item.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def row_of(html: str, item) -> str:
    return re.search(rf'<tr data-id="{item.id}".*?</tr>', html, re.S).group(0)


def queue(client, fair, code="B07", **headers):
    return client.get(f"/staff/booths/{booth(fair, code).id}", headers=headers)


def test_each_waiting_row_says_how_long_it_has_waited_and_a_long_wait_stands_out_in_words(client, fair):
    fresh, old = request_in(fair), request_in(fair)
    filed_minutes_ago(fresh, 3)
    filed_minutes_ago(old, 16)  # past KIOSK_LONG_WAIT_MINUTES (15)
    in_hand = request_in(fair, Status.in_progress)
    login(client, "b07")
    html = queue(client, fair).get_data(as_text=True)
    assert "已等 3 分钟" in row_of(html, fresh) and "long-wait" not in row_of(html, fresh)
    old_row = row_of(html, old)
    assert "已等 16 分钟" in old_row and 'class="row-waiting long-wait"' in old_row and "等候较久" in old_row
    assert "data-since" in old_row
    assert "已等" not in row_of(html, in_hand) and "data-since" not in row_of(html, in_hand)
    # app.js's clock: the server's time, the threshold and the words
    assert re.search(r'<section id="queue"[^>]* data-now="\d+" data-long-wait="15" data-waited="已等 \{n\} 分钟"', html)


def test_the_unchanged_queue_poll_stays_a_304_with_the_waits_on_its_rows(client, fair):
    request_in(fair)
    login(client, "b07")
    first = queue(client, fair, **POLL)
    assert first.status_code == 200 and "已等 0 分钟" in first.get_data(as_text=True)
    assert queue(client, fair, **POLL, **{"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_a_transferred_request_waits_at_its_new_booth_from_its_transfer(client, fair):
    moved = request_in(fair, transferred_to="B01")
    filed_minutes_ago(moved, 40)
    db.session.execute(sa.update(RequestEvent).where(RequestEvent.request_id == moved.id,
                                                     RequestEvent.kind == EventKind.transferred)
                       .values(created_at=utcnow() - timedelta(minutes=7)))
    db.session.commit()
    login(client, "b01")
    assert "已等 7 分钟" in row_of(queue(client, fair, "B01").get_data(as_text=True), moved)


def test_a_called_ticket_shows_its_call_not_a_wait(client, fair):
    item = request_in(fair)
    filed_minutes_ago(item, 20)
    item.called_at = utcnow()
    db.session.commit()
    login(client, "b07")
    row = row_of(queue(client, fair).get_data(as_text=True), item)
    assert "已等" not in row and "long-wait" not in row
