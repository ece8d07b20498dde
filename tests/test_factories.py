"""The factory tells the truth: a request asked for in a state is saved in that state, with the
trail the moves that got it there would leave, so tests built on it test what the app would make."""
import pytest

from kiosk.core.extensions import db
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import answers, booth, request_in

S, T, R, P, D, C, W = (EventKind.submitted, EventKind.taken, EventKind.resolved, EventKind.planned,
                       EventKind.done, EventKind.closed_out, EventKind.withdrawn)
#: state -> the trail a booth leaves on its ordinary way there
TRAILS = {
    Status.waiting: [S],
    Status.in_progress: [S, T],
    Status.resolved: [S, T, R],
    Status.planned: [S, T, P],
    Status.done: [S, T, P, D],
    Status.closed_out: [S, T, P, D, C],
    Status.withdrawn: [S, T, W],
}


def saved(item):
    """The request as the database has it after the factory returned: a rollback would drop anything
    the factory left uncommitted."""
    request_id = item.id
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(ServiceRequest, request_id)


def test_every_state_has_its_trail_listed_here():
    assert set(TRAILS) == set(Status)


@pytest.mark.parametrize("state", list(Status), ids=[s.value for s in Status])
def test_a_request_is_built_in_the_state_asked_with_an_event_for_each_move(fair, state):
    item = saved(request_in(fair, state))
    assert item.status is state
    assert [e.kind for e in item.events] == TRAILS[state]
    # Each move starts where the one before it ended, and the last ends in the state.
    assert [e.from_status for e in item.events] == [None, *[e.to_status for e in item.events][:-1]]
    assert item.events[-1].to_status is state
    at_the_fair = [e for e in item.events[1:] if e.kind in (T, R, P, W)]
    assert all(e.actor is not None and e.actor.booth.code == "B07" for e in at_the_fair)
    # After the fair: the department's ledger account says done, an organiser closes it out.
    assert all(e.actor.department.name.endswith("工业和信息化局") for e in item.events if e.kind is D)
    assert all(e.actor.is_organiser for e in item.events if e.kind is C)
    assert (item.version > 1) == (state is not Status.waiting)  # moved by the versioned UPDATE, not behind it
    assert item.ticket_no == "B07-001" and item.booth.code == "B07"


def test_each_outcome_is_recorded_as_its_move_records_it(fair):
    resolved = saved(request_in(fair, Status.resolved, resolution="当场答复"))
    assert resolved.resolution == "当场答复" and resolved.events[-1].detail == "当场答复"
    planned = saved(request_in(fair, Status.planned, plan_text="会后踏勘"))
    assert (planned.plan_text, planned.plan_unit, planned.plan_person) == ("会后踏勘", "规划科", "赵科长")
    assert planned.plan_due is not None
    closed = saved(request_in(fair, Status.closed_out))
    assert closed.plan_text and closed.closeout_result and closed.closed_out_on is not None
    assert closed.closed_out_at.tzinfo is not None and closed.done_at <= closed.closed_out_at
    assert closed.due_now == closed.plan_due == closed.current_due


def test_a_transferred_request_arrives_waiting_and_keeps_its_ticket(fair):
    item = saved(request_in(fair, Status.resolved, transferred_to="B02"))
    assert [e.kind for e in item.events] == [S, EventKind.transferred, T, R]
    moved = item.events[1]
    assert (moved.from_booth.code, moved.to_booth.code, moved.to_status) == ("B07", "B02", Status.waiting)
    assert item.booth.code == "B02" and item.ticket_no == "B07-001"
    assert item.events[2].actor.booth.code == "B02"  # taken by the booth it was sent to


def test_joined_booths_are_on_the_request_and_its_trail(fair):
    item = saved(request_in(fair, Status.planned, joined=["B01", "F01"]))
    assert {b.code for b in item.joint_booths} == {"B01", "F01"}
    assert [(e.kind, e.to_booth.code if e.to_booth else None) for e in item.events[:3]] == [
        (S, "B07"), (EventKind.joined, "B01"), (EventKind.joined, "F01")]
    assert item.status is Status.planned


def test_a_slip_is_given_once_there_is_an_outcome(fair, organiser):
    item = saved(request_in(fair, Status.resolved, at="F01", by=organiser,
                            slip=answers(2, [5, 4, 3, 2, 1], confirmed=False, comment="太慢")))
    assert item.booth == booth(fair, "F01")
    slip = item.slip
    assert (slip.professionalism, slip.integrity, slip.overall, slip.confirmed,
            slip.comment) == (5, 1, 2, False, "太慢")
    assert slip.needs_followup
    assert [e.kind for e in item.events] == [S, T, R, EventKind.slip]
    assert all(e.actor == organiser for e in item.events[1:3])


def test_the_form_can_say_what_the_company_typed(fair):
    item = saved(request_in(fair, company_name="乙公司", need="招聘技术工人"))
    assert (item.company.name, item.need, item.status) == ("乙公司", "招聘技术工人", Status.waiting)
    assert request_in(fair).ticket_no == "B07-002"  # each call is a new form, not a double tap
