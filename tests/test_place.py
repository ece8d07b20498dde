"""The company's ticket page says its place in its booth's line and its expected wait, moves them
with its own poll, and stays a 304 while nothing this company sees has changed."""
from datetime import timedelta

import sqlalchemy as sa

import kiosk.intake.place
from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import FairStatus
from kiosk.service_requests import calling, workflow
from kiosk.service_requests.models import Status
from tests.factories import booth, request_in

POLL = {"HX-Request": "true"}


def staff(fair, code="B07"):
    return db.session.scalar(sa.select(User).filter_by(booth_id=booth(fair, code).id))


def take(item, fair):
    workflow.take(item, staff(fair, item.booth.code), item.version)
    db.session.commit()


def page(client, item) -> str:
    return client.get(f"/t/{item.token}").get_data(as_text=True)


def test_the_ticket_page_counts_those_ahead_and_estimates_the_wait_from_the_fallback(client, fair):
    first, _second, mine = (request_in(fair) for _ in range(3))
    text = page(client, mine)
    assert "前面还有 2 位" in text
    # nothing worked at the booth yet: 8 minutes each (KIOSK_WAIT_FALLBACK_MINUTES), 2½ requests
    assert "预计等候约 20 分钟" in text
    assert "按每项约 8 分钟估算" in text
    assert "下一位就是您" in page(client, first)


def test_the_place_moves_as_staff_take_up_and_finish_the_requests_ahead(client, fair):
    first, second, mine = (request_in(fair) for _ in range(3))
    take(first, fair)
    assert "前面还有 1 位" in page(client, mine)
    take(second, fair)
    assert "下一位就是您" in page(client, mine)
    take(mine, fair)
    text = page(client, mine)
    assert "前面还有" not in text and "预计等候" not in text  # in hand: no wait to show


def test_the_poll_stays_a_304_until_something_this_company_sees_changes(client, fair):
    first, mine = request_in(fair), request_in(fair)
    answer = client.get(f"/t/{mine.token}", headers=POLL)
    assert answer.status_code == 200 and "下一位就是您" not in answer.get_data(as_text=True)
    tag = {"If-None-Match": answer.headers["ETag"]}
    # a company filing behind it, and one at another booth, change nothing it sees
    request_in(fair)
    request_in(fair, at="B01")
    assert client.get(f"/t/{mine.token}", headers={**POLL, **tag}).status_code == 304
    # the request ahead taken up: its place moves
    take(first, fair)
    moved = client.get(f"/t/{mine.token}", headers={**POLL, **tag})
    assert moved.status_code == 200 and "下一位就是您" in moved.get_data(as_text=True)


def test_the_wait_follows_the_booths_own_pace_once_it_has_worked_three(client, fair):
    for _ in range(3):
        request_in(fair, Status.resolved)  # taken and resolved at once: minutes under one each
    ahead = [request_in(fair) for _ in range(4)]
    text = page(client, request_in(fair))
    assert "前面还有 4 位" in text and "预计 5 分钟内" in text
    assert "按本摊位今天最近的办理速度估算" in text
    assert ahead


def test_a_transferred_request_counts_in_the_line_of_the_booth_it_went_to(client, fair):
    waiting_at_b01 = request_in(fair, at="B01")
    moved = request_in(fair, transferred_to="B01")  # filed at B07, sent to B01: at the end of B01's line
    request_in(fair)  # one at B07, which it left
    text = page(client, moved)
    assert "前面还有 1 位" in text
    assert "下一位就是您" in page(client, waiting_at_b01)


def test_a_joint_request_counts_in_its_lead_booths_line_only(client, fair):
    joint = request_in(fair, joined=("B01",))  # led by B07, B01 joined
    at_b01 = request_in(fair, at="B01")
    assert "下一位就是您" in page(client, at_b01)
    assert "下一位就是您" in page(client, joint)


def test_a_closed_fairs_waiting_request_gets_no_estimate(client, fair):
    mine = request_in(fair)
    fair.status = FairStatus.closed
    db.session.commit()
    assert "预计等候时间：暂无法估计" in page(client, mine)


def test_a_skipped_ticket_back_in_line_shows_its_place_again_and_moves_the_poll(client, fair, monkeypatch):
    mine = request_in(fair)
    actor = staff(fair)
    called = calling.call_next(booth(fair, "B07"), actor)
    calling.skip(called, actor, called.version)  # held aside for KIOSK_SKIP_GRACE_MINUTES (5)
    db.session.commit()
    held = client.get(f"/t/{mine.token}", headers=POLL)
    assert "前面还有" not in held.get_data(as_text=True) and "下一位就是您" not in held.get_data(as_text=True)
    later = utcnow() + timedelta(minutes=6)
    monkeypatch.setattr(kiosk.intake.place, "utcnow", lambda: later)
    back = client.get(f"/t/{mine.token}", headers={**POLL, "If-None-Match": held.headers["ETag"]})
    # nothing was written: the grace minutes ran out, and the page's own poll says so
    assert back.status_code == 200 and "下一位就是您" in back.get_data(as_text=True)
