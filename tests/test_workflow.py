"""The request state machine: every legal move works and writes its event; every illegal one is refused."""
from datetime import date, timedelta

import pytest

from kiosk.core.extensions import db
from kiosk.service_requests import workflow
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from kiosk.service_requests.workflow import WorkflowError
from tests.factories import booth, request_in

TODAY = date(2026, 6, 13)


def plan_args(due=TODAY):
    return {"plan_text": "会后踏勘", "unit": "规划科", "person": "赵科长", "due": due, "today": TODAY}


MOVES = {
    "take": lambda item, actor, fair: workflow.take(item, actor, item.version),
    "resolve": lambda item, actor, fair: workflow.resolve(item, actor, item.version, resolution="已办"),
    "plan": lambda item, actor, fair: workflow.plan(item, actor, item.version, **plan_args()),
    "transfer": lambda item, actor, fair: workflow.transfer(item, actor, item.version, to_booth=booth(fair, "B02"),
                                                           reason="属审批事项"),
    "join": lambda item, actor, fair: workflow.join(item, actor, item.version, booths=[booth(fair, "B01")],
                                                   reason="涉及用地"),
    "withdraw": lambda item, actor, fair: workflow.withdraw(item, actor, item.version, reason="重复提交"),
    "reopen": lambda item, actor, fair: workflow.reopen(item, actor, item.version, reason="误点"),
    "note": lambda item, actor, fair: workflow.note(item, actor, item.version, text="企业补充材料"),
}
#: state after a legal move
RESULT = {"take": Status.in_progress, "resolve": Status.resolved, "plan": Status.planned,
          "transfer": Status.waiting, "withdraw": Status.withdrawn, "reopen": Status.in_progress}
EVENT = {"take": EventKind.taken, "resolve": EventKind.resolved, "plan": EventKind.planned,
         "transfer": EventKind.transferred, "join": EventKind.joined, "withdraw": EventKind.withdrawn,
         "reopen": EventKind.reopened, "note": EventKind.note}
CASES = [(move, state) for move in MOVES for state in Status]


@pytest.mark.parametrize("move,state", CASES, ids=[f"{m}-from-{s.value}" for m, s in CASES])
def test_every_move_from_every_state(app, fair, organiser, move, state):
    item = request_in(fair, state)
    events_before, version_before = len(item.events), item.version
    if state in workflow.ALLOWED_FROM[move]:
        MOVES[move](item, organiser, fair)
        assert item.status is RESULT.get(move, state)
        assert item.events[-1].kind is EVENT[move] and item.events[-1].actor is organiser
        assert len(item.events) == events_before + 1
        assert item.version > version_before
    else:
        with pytest.raises(WorkflowError) as refused:
            MOVES[move](item, organiser, fair)
        assert refused.value.code == "illegal"
        db.session.rollback()
        assert item.status is state and len(item.events) == events_before


def test_no_plan_with_a_due_date_in_the_past(app, fair, organiser):
    item = request_in(fair)
    with pytest.raises(WorkflowError) as refused:
        workflow.plan(item, organiser, item.version, **plan_args(due=TODAY - timedelta(days=1)))
        db.session.commit()
    assert refused.value.code == "past_due"


def test_plan_keeps_what_by_whom_by_when(app, fair, organiser):
    item = request_in(fair)
    workflow.plan(item, organiser, item.version, **plan_args(due=TODAY + timedelta(days=7)))
    db.session.commit()
    assert (item.plan_text, item.plan_unit, item.plan_person, item.plan_due) == (
        "会后踏勘", "规划科", "赵科长", TODAY + timedelta(days=7))
    assert item.events[-1].from_status is Status.waiting and item.events[-1].to_status is Status.planned


def test_transfer_moves_the_request_and_the_trail_keeps_both_booths(app, fair, organiser):
    item = request_in(fair)
    workflow.take(item, organiser, item.version)
    db.session.commit()
    workflow.transfer(item, organiser, item.version, to_booth=booth(fair, "B02"), reason="属审批事项")
    db.session.commit()
    assert item.booth.code == "B02" and item.status is Status.waiting
    event = item.events[-1]
    assert (event.from_booth.code, event.to_booth.code, event.detail) == ("B07", "B02", "属审批事项")
    assert item.ticket_no == "B07-001"  # the company's ticket number does not change


def test_transfer_to_the_same_booth_is_refused(app, fair, organiser):
    item = request_in(fair)
    with pytest.raises(WorkflowError) as refused:
        workflow.transfer(item, organiser, item.version, to_booth=booth(fair, "B07"), reason="x")
        db.session.commit()
    assert refused.value.code == "same_booth"


def test_join_adds_booths_and_the_lead_stays(app, fair, organiser):
    item = request_in(fair)
    workflow.join(item, organiser, item.version, booths=[booth(fair, "B01"), booth(fair, "F01")], reason="会商")
    db.session.commit()
    assert item.booth.code == "B07"
    assert {b.code for b in item.joint_booths} == {"B01", "F01"}
    assert [e.to_booth.code for e in item.events if e.kind is EventKind.joined] == ["B01", "F01"]
    with pytest.raises(WorkflowError) as refused:
        workflow.join(item, organiser, item.version, booths=[booth(fair, "B01")], reason="again")
        db.session.commit()
    assert refused.value.code == "already_joined"


def test_reopen_clears_the_outcome_but_the_trail_keeps_it(app, fair, organiser):
    item = request_in(fair)
    workflow.resolve(item, organiser, item.version, resolution="当场办结")
    db.session.commit()
    workflow.reopen(item, organiser, item.version, reason="点错了")
    db.session.commit()
    assert item.status is Status.in_progress and item.resolution is None
    assert [e.kind for e in item.events][-2:] == [EventKind.resolved, EventKind.reopened]
    assert item.events[-2].detail == "当场办结"


def test_a_stale_version_is_a_conflict_not_an_overwrite(app, fair, organiser):
    item = request_in(fair)
    seen = item.version
    workflow.resolve(item, organiser, seen, resolution="第一位")
    db.session.commit()
    with pytest.raises(WorkflowError) as refused:
        workflow.plan(item, organiser, seen, **plan_args())
        db.session.commit()
    assert refused.value.code == "conflict"
    db.session.rollback()
    assert item.status is Status.resolved and item.resolution == "第一位"


def test_simultaneous_saves_one_wins_the_other_is_told(app, fair, organiser):
    """Both pass the version check at the same moment; the database decides, nobody sees a 500."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    request_id, version = request_in(fair).id, 1
    barrier = Barrier(4)

    def save(n):
        with app.app_context():
            item = db.session.get(ServiceRequest, request_id)
            barrier.wait()
            try:
                workflow.resolve(item, None, version, resolution=f"第{n}位")
                db.session.commit()
                return "saved"
            except WorkflowError as refused:
                return refused.code

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(save, range(4)))
    assert outcomes == ["conflict", "conflict", "conflict", "saved"]


def test_after_the_fair_closes_only_notes_are_taken(app, fair, organiser):
    from kiosk.organiser.fair_lifecycle import close_fair
    item = request_in(fair)
    workflow.plan(item, organiser, item.version, **plan_args(due=date.today() + timedelta(days=3)) | {
        "today": date.today()})
    db.session.commit()
    close_fair(fair, organiser)
    db.session.commit()
    for name in ("reopen", "withdraw", "resolve", "transfer"):
        with pytest.raises(WorkflowError) as refused:
            MOVES[name](item, organiser, fair)
        assert refused.value.code == "fair_closed"
        db.session.rollback()
    workflow.note(item, organiser, item.version, text="会后电话跟进")
    db.session.commit()
    assert item.status is Status.planned and item.plan_text == "会后踏勘"
