"""Calling at the booth (叫号, issue 29): the waiting line's order and a request's place in it
(kiosk.service_requests.line), and the moves (kiosk.service_requests.calling)."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import FairStatus
from kiosk.service_requests import calling, workflow
from kiosk.service_requests.line import ahead_of, line_length, place_in_line
from kiosk.service_requests.models import Category, EventKind, ServiceRequest, Status
from tests.conftest import POSTGRES_URL
from tests.factories import booth, request_in


def staff(fair, code="B07"):
    from kiosk.auth.models import User
    return db.session.scalar(sa.select(User).filter_by(username=code.lower()))


def later(minutes):
    return utcnow() + timedelta(minutes=minutes)


def test_the_line_is_oldest_first_and_each_knows_its_place(fair):
    first, second, third = (request_in(fair) for _ in range(3))
    assert [place_in_line(r) for r in (first, second, third)] == [1, 2, 3]
    assert ahead_of(third) == 2
    assert line_length(booth(fair, "B07").id) == 3


def test_calling_next_calls_the_oldest_and_the_others_move_up(fair):
    first, second = request_in(fair), request_in(fair)
    called = calling.call_next(booth(fair, "B07"), staff(fair))
    db.session.commit()
    assert called.id == first.id and called.is_called and called.call_count == 1
    assert place_in_line(first) is None
    assert place_in_line(second) == 1
    event = called.events[-1]
    assert event.kind is EventKind.called and event.to_booth.code == "B07" and event.created_at is not None


def test_taken_and_settled_requests_are_in_no_line(fair):
    taken, resolved, waiting = request_in(fair, Status.in_progress), request_in(fair, Status.resolved), request_in(fair)
    assert place_in_line(taken) is None and place_in_line(resolved) is None
    assert place_in_line(waiting) == 1


def test_priority_categories_are_called_first(fair):
    current_app.config["PRIORITY_CATEGORIES"] = ("funding", "nonsense")
    land = request_in(fair)
    funding = request_in(fair, category=Category.funding)
    assert place_in_line(funding) == 1 and place_in_line(land) == 2
    assert calling.call_next(booth(fair, "B07"), staff(fair)).id == funding.id


def test_a_transferred_request_joins_the_end_of_the_other_booths_line(fair):
    there = request_in(fair, at="B01")
    moved = request_in(fair, at="B07")
    arrived_earlier_at_b07 = request_in(fair, at="B07")
    workflow.transfer(moved, staff(fair), moved.version, to_booth=booth(fair, "B01"), reason="属其他摊位事项")
    db.session.commit()
    assert place_in_line(there) == 1 and place_in_line(moved) == 2
    assert place_in_line(arrived_earlier_at_b07) == 1


def test_a_called_request_transferred_arrives_uncalled(fair):
    item = request_in(fair)
    calling.call_next(booth(fair, "B07"), staff(fair))
    workflow.transfer(item, staff(fair), item.version, to_booth=booth(fair, "B01"), reason="属其他摊位事项")
    db.session.commit()
    assert not item.is_called and place_in_line(item) == 1


def test_a_joint_request_is_in_its_lead_booths_line_only(fair):
    joint = request_in(fair, at="B07", joined=("B01",))
    assert place_in_line(joint) == 1
    assert line_length(booth(fair, "B01").id) == 0
    with pytest.raises(calling.CallingError) as refused:
        calling.call_next(booth(fair, "B01"), staff(fair, "B01"))
    assert refused.value.code == "nobody_waiting"


def test_a_skipped_ticket_is_held_then_comes_back_once_at_the_end_then_is_a_no_show(fair):
    b07 = booth(fair, "B07")
    skipped, other = request_in(fair), request_in(fair)
    calling.call_next(b07, staff(fair))
    calling.skip(skipped, staff(fair), skipped.version)
    db.session.commit()
    assert skipped.line_state_at(utcnow()) == "held" and place_in_line(skipped) is None
    assert skipped.events[-1].kind is EventKind.skipped
    # Within the grace minutes it keeps its place: the next call is the other's.
    assert calling.call_next(b07, staff(fair)).id == other.id
    late = request_in(fair)
    # Past the grace minutes it is back, at the end of the line as it was then (after `late`).
    back = later(current_app.config["SKIP_GRACE_MINUTES"] + 1)
    assert skipped.line_state_at(back) == "in_line"
    assert place_in_line(late, back) == 1 and place_in_line(skipped, back) == 2
    workflow.take(late, staff(fair), late.version)
    assert calling.call_next(b07, staff(fair), now=back).id == skipped.id
    calling.skip(skipped, staff(fair), skipped.version, now=back)
    db.session.commit()
    assert skipped.is_no_show and skipped.line_state_at(later(60)) == "no_show"
    assert place_in_line(skipped, later(60)) is None
    assert skipped.status is Status.waiting  # still open: the close takes it to an end like any other
    assert skipped.events[-1].kind is EventKind.no_show
    with current_app.test_request_context():
        assert skipped.events[-1].kind.label == "未到场" and skipped.line_label_at(utcnow()) == "未到场"


def test_call_again_repeats_the_call_and_taking_it_up_is_the_next_step(fair):
    item = request_in(fair)
    calling.call_next(booth(fair, "B07"), staff(fair))
    calling.call_again(item, staff(fair), item.version)
    assert item.call_count == 2 and item.events[-1].kind is EventKind.called_again
    workflow.take(item, staff(fair), item.version)
    db.session.commit()
    assert item.status is Status.in_progress and not item.is_called


def test_a_held_ticket_can_be_called_again_and_a_second_skip_makes_it_a_no_show(fair):
    item = request_in(fair)
    calling.call_next(booth(fair, "B07"), staff(fair))
    calling.skip(item, staff(fair), item.version)
    calling.call_again(item, staff(fair), item.version)
    calling.skip(item, staff(fair), item.version)
    db.session.commit()
    assert item.is_no_show


def test_a_skipped_ticket_back_in_line_may_be_called_again_out_of_turn_once(fair):
    item, _other = request_in(fair), request_in(fair)
    calling.call_next(booth(fair, "B07"), staff(fair))
    calling.skip(item, staff(fair), item.version)
    back = later(current_app.config["SKIP_GRACE_MINUTES"] + 1)
    assert item.line_state_at(back) == "in_line"
    calling.call_again(item, staff(fair), item.version, now=back)
    calling.skip(item, staff(fair), item.version, now=back)
    db.session.commit()
    assert item.is_no_show


def test_skip_and_call_again_are_refused_for_a_ticket_not_called(fair):
    item = request_in(fair)
    for move in (calling.skip, calling.call_again):
        with pytest.raises(calling.CallingError) as refused:
            move(item, staff(fair), item.version)
        assert refused.value.code == "not_called"


def test_a_stale_version_is_a_conflict(fair):
    item = request_in(fair)
    calling.call_next(booth(fair, "B07"), staff(fair))
    with pytest.raises(calling.CallingError) as refused:
        calling.skip(item, staff(fair), item.version - 1)
    assert refused.value.code == "conflict"


def test_an_empty_line_and_a_closed_fair_are_refused(fair):
    with pytest.raises(calling.CallingError) as refused:
        calling.call_next(booth(fair, "B07"), staff(fair))
    assert refused.value.code == "nobody_waiting"
    request_in(fair)
    fair.status = FairStatus.closed
    db.session.commit()
    with pytest.raises(calling.CallingError) as refused:
        calling.call_next(booth(fair, "B07"), staff(fair))
    assert refused.value.code == "not_open"


def test_a_no_show_reaches_the_close_like_any_open_request(fair):
    from kiosk.organiser.fair_lifecycle import close_fair
    from tests.factories import an_organiser
    item = request_in(fair)
    calling.call_next(booth(fair, "B07"), staff(fair))
    calling.skip(item, staff(fair), item.version)
    calling.call_again(item, staff(fair), item.version)
    calling.skip(item, staff(fair), item.version)
    db.session.commit()
    close_fair(fair, an_organiser())
    db.session.commit()
    item = db.session.get(ServiceRequest, item.id)
    assert item.was_handed_over or item.ended_at_close


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite writes one at a time; PostgreSQL's row locks are what is tested")
def test_two_staff_calling_at_once_never_call_the_same_ticket(app, fair):
    """The first call holds its ticket's row until it commits; the second, meanwhile, calls the next."""
    from kiosk.auth.models import User
    from kiosk.fairs.models import Booth
    first, second = request_in(fair), request_in(fair)
    booth_id, user_id = booth(fair, "B07").id, staff(fair).id
    holding, release, called_by_first = threading.Event(), threading.Event(), []

    def first_staff():
        with app.app_context():
            called_by_first.append(calling.call_next(db.session.get(Booth, booth_id), db.session.get(User, user_id)).id)
            holding.set()
            release.wait(10)
            db.session.commit()

    thread = threading.Thread(target=first_staff)
    thread.start()
    assert holding.wait(10)
    called_by_second = calling.call_next(booth(fair, "B07"), staff(fair)).id
    db.session.commit()
    release.set()
    thread.join(10)
    assert {called_by_first[0], called_by_second} == {first.id, second.id}
    db.session.expire_all()
    assert [db.session.get(ServiceRequest, i).call_count for i in (first.id, second.id)] == [1, 1]
