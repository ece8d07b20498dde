"""Parking a ledger item (挂账): the moves, who may make them, and each one's trail event. The same
pattern as kiosk.ledger.moves: each move checks the version of the item the person saw (a lost
update is a conflict, not an overwrite), changes the objects and flushes; the request commits.

- `ask`: the item's department asks to park an item it is carrying out (planned) and cannot finish
  now: a cause from the fixed list, its explanation, a review day after today and within
  EXTENSION_CEILING_DAYS. One ask waits at a time. An organiser's own ask is their decision: approved
  at once. (EventKind.park_asked; an organiser's: parked.)
- `approve` / `refuse`: an organiser decides the waiting ask, a refusal with its reason
  (EventKind.parked / park_refused). Approval sets the request's copies parked_until and park_cause;
  a parking still running (asked again before its review day) ends that day.
- `resume`: an organiser ends a parking before its review day, with the reason (EventKind.reopened:
  the trail's "handled again", the detail says the parking ended).

A parked item is counted apart in every figure (never overdue, never done) until its review day,
when it is back by itself: kiosk.service_requests.models.ServiceRequest.parked_on.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from kiosk.auth.access import works_on
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import now_aware
from kiosk.notifications import messages
from kiosk.service_requests import workflow
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status
from kiosk.service_requests.workflow import move
from kiosk.supervision.parking_models import Parking, ParkingStatus

MESSAGES = {
    "conflict": workflow.MESSAGES["conflict"],
    "not_yours": _l("这条需求不属于本部门，不能办理。"),
    "organisers_only": _l("只有组织方可以批准、不批准挂账或恢复办理。"),
    "not_planned": _l("只有办理中的事项可以申请挂账；已办结待销号或已销号的不能挂账。"),
    "pending": _l("这项已有挂账申请在等待组织方审批，审批后才能再申请。"),
    "no_pending": _l("这项没有待审批的挂账申请，可能刚被其他组织方处理过。"),
    "review_past": _l("复核日期必须晚于今天。"),
    "review_far": _l("复核日期最晚为 %(latest)s（今天起%(days)d天内）。"),
    "review_passed": _l("申请的复核日期 %(day)s 已到，不能再批准挂账；请部门重新申请。"),
    "not_parked": _l("这项现在没有挂账，无需恢复办理。"),
}


class ParkingRefused(Refused):
    MESSAGES = MESSAGES


def latest_review(today: date) -> date:
    """The latest review day an ask may name: a parking is for now, not for ever."""
    return today + timedelta(days=current_app.config["EXTENSION_CEILING_DAYS"])


def pending_ask(item: ServiceRequest) -> Parking | None:
    return next((p for p in item.parkings if p.status.is_pending), None)


def running(item: ServiceRequest, today: date) -> Parking | None:
    """The approved parking that parks the item today, if any."""
    return next((p for p in reversed(item.parkings) if p.running_on(today)), None)


def allowed(item: ServiceRequest, user, today: date) -> set[str]:
    """What this person may do about parking the item now (what the moves would let through), so
    that the page offers nothing it would refuse: "ask", "decide" (approve or refuse), "resume"."""
    if not works_on(user, item):
        return set()
    out = set()
    if item.status is Status.planned and pending_ask(item) is None:
        out.add("ask")
    if user.is_organiser:
        if pending_ask(item) is not None:
            out.add("decide")
        if item.parked_on(today):
            out.add("resume")
    return out


@move
def ask(item: ServiceRequest, actor, version: int, *, cause: ParkCause, explanation: str, review_on: date,
        today: date) -> Parking:
    """挂账申请. An organiser's ask is approved at once (their own decision, on the record as theirs)."""
    _begin(item, version, actor)
    if item.status is not Status.planned:
        raise ParkingRefused("not_planned")
    if pending_ask(item) is not None:
        raise ParkingRefused("pending")
    _check_review(review_on, today)
    parking = Parking(status=ParkingStatus.asked, cause=cause, explanation=explanation, review_on=review_on,
                      asked_by_id=actor.id, asked_at=now_aware())  # its state now: an organiser's is approved at once
    item.parkings.append(parking)
    if actor.is_organiser:
        return _approve(item, parking, actor, note=None, today=today)
    _record(item, actor, EventKind.park_asked, _asked_detail(parking))
    try:
        db.session.flush()
    except IntegrityError:  # another ask of this item landed a moment ago (ix_parking_one_pending)
        db.session.rollback()
        raise ParkingRefused("pending") from None
    messages.park_asked(item, parking)
    return parking


@move
def approve(item: ServiceRequest, actor, version: int, *, note: str | None, today: date) -> Parking:
    _begin(item, version, actor, organisers_only=True)
    parking = _waiting(item)
    if item.status is not Status.planned:
        raise ParkingRefused("not_planned")
    if parking.review_on <= today:
        raise ParkingRefused("review_passed", day=parking.review_on.isoformat())
    return _approve(item, parking, actor, note=note, today=today)


@move
def refuse(item: ServiceRequest, actor, version: int, *, reason: str) -> Parking:
    _begin(item, version, actor, organisers_only=True)
    parking = _waiting(item)
    parking.status, parking.decided_by_id, parking.decided_at = ParkingStatus.refused, actor.id, now_aware()
    parking.decision_note = reason
    _record(item, actor, EventKind.park_refused, reason)
    db.session.flush()
    return parking


@move
def resume(item: ServiceRequest, actor, version: int, *, reason: str, today: date) -> Parking:
    """恢复办理: the parking ends today, before its review day; the item counts as open (or overdue)
    again from today."""
    _begin(item, version, actor, organisers_only=True)
    parking = running(item, today)
    if parking is None:
        raise ParkingRefused("not_parked")
    _end(parking, actor, today, reason)
    item.parked_until = today
    with force_locale("zh_CN"):
        ended = str(_l("提前结束挂账（原定复核日期 %(day)s），恢复办理", day=parking.review_on.isoformat()))
    _record(item, actor, EventKind.reopened, f"{ended}\n{reason}")
    db.session.flush()
    return parking


def _approve(item: ServiceRequest, parking: Parking, actor, *, note: str | None, today: date) -> Parking:
    before = running(item, today)
    if before is not None and before is not parking:
        with force_locale("zh_CN"):
            _end(before, actor, today, str(_l("已批准新的挂账申请，复核日期改为 %(day)s",
                                                day=parking.review_on.isoformat())))
    parking.status, parking.decided_by_id, parking.decided_at = ParkingStatus.approved, actor.id, now_aware()
    parking.decision_note = note or None
    item.parked_until, item.park_cause = parking.review_on, parking.cause
    _record(item, actor, EventKind.parked, _asked_detail(parking) + (f"\n{note}" if note else ""))
    db.session.flush()
    return parking


def _end(parking: Parking, actor, today: date, note: str) -> None:
    parking.ended_on, parking.ended_by_id, parking.end_note = today, actor.id, note


def _asked_detail(parking: Parking) -> str:
    """The trail's record of an ask: cause and review day (in the city's language, as the trail's
    records are), then the department's explanation."""
    with force_locale("zh_CN"):
        head = str(_l("%(cause)s · 复核日期 %(day)s", cause=parking.cause.label, day=parking.review_on.isoformat()))
    return f"{head}\n{parking.explanation}"


def _check_review(review_on: date, today: date) -> None:
    if review_on <= today:
        raise ParkingRefused("review_past")
    if review_on > latest_review(today):
        raise ParkingRefused("review_far", latest=latest_review(today).isoformat(),
                             days=current_app.config["EXTENSION_CEILING_DAYS"])


def _waiting(item: ServiceRequest) -> Parking:
    parking = pending_ask(item)
    if parking is None:
        raise ParkingRefused("no_pending")
    return parking


def _begin(item: ServiceRequest, version: int, actor, *, organisers_only: bool = False) -> None:
    if item.version != version:
        raise ParkingRefused("conflict")
    if not works_on(actor, item):
        raise ParkingRefused("not_yours")
    if organisers_only and not actor.is_organiser:
        raise ParkingRefused("organisers_only")


def _record(item: ServiceRequest, actor, kind: EventKind, detail: str) -> None:
    """The move's one trail event; the item's state is unchanged (a parked item is still planned)."""
    item.events.append(RequestEvent(kind=kind, actor=actor, from_status=item.status, to_status=item.status,
                                    detail=detail))
