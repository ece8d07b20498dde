"""A planned item's life after the fair, on the demand ledger: every move, which states allow it,
who may make it, and its one trail event. The same pattern as service_requests.workflow: each move
checks the version the person saw (a lost update is a conflict, not an overwrite).

Two-step close-out, as GLPI closes a ticket only once the requester approves: the department's
staff record the result and ask for close-out (`finish`: planned -> done, 办结); an organiser
confirms it (`confirm`: done -> closed_out, 销号) or sends it back with a reason (`send_back`: done ->
planned). After close-out the company confirms or disputes the result once (`company_verdict`); a
dispute sends the item back to the department (closed_out -> planned) with the company's words.

A deadline moves only by an Extension (`extend`): plan_due stays the date given at the fair, so
that on time is always judged against it.
"""
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.auth.access import works_on
from kiosk.core.extensions import db
from kiosk.core.timeutil import local_day, now_aware
from kiosk.ledger.models import CloseOutVerdict, Extension
from kiosk.service_requests import workflow
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status
from kiosk.service_requests.workflow import WorkflowError, move

PL, D, C = Status.planned, Status.done, Status.closed_out

#: move -> the states it may start from
ALLOWED_FROM = {
    "progress": {PL, D},
    "extend": {PL, D},
    "reassign": {PL, D},
    "finish": {PL},
    "confirm": {D},
    "send_back": {D},
    "mark_open": {PL, D},
}
#: the moves only an organiser makes: the close-out is confirmed by someone other than the
#: department that did the work; a reconciliation round is the organisers' meeting
ORGANISERS_ONLY = {"confirm", "send_back", "mark_open"}

#: the 好差评 scale of a verdict's rating
RATINGS = range(1, 6)

MESSAGES = {
    **workflow.MESSAGES,
    "not_yours": _l("这条需求不属于本部门，不能办理。"),
    "organisers_only": _l("只有组织方可以销号或退回。"),
    "not_later": _l("延期后的完成时限必须晚于现在的时限。"),
    "past_due": _l("延期后的完成时限不能早于今天。"),
    "verdict_given": _l("这条需求已经确认或提出过异议，每条需求只能一次。"),
    "not_closed_out": _l("这条需求还没有销号，暂时不能确认。"),
    "words_needed": _l("提出异议时，请写明哪里没有办好。"),
    "rating_bad": _l("请选择评价等级。"),
}


class LedgerRefused(WorkflowError):
    MESSAGES = MESSAGES


@move
def progress(item: ServiceRequest, actor, version: int, *, text: str) -> ServiceRequest:
    """A progress note (办理进展): the company sees it on its tracking page, unlike a staff note."""
    _begin(item, "progress", version, actor)
    item.last_progress_on = local_day(now_aware())  # supervision's "no progress for N days" (kiosk.supervision.colours)
    return _record(item, actor, EventKind.progress, item.status, detail=text)


@move
def extend(item: ServiceRequest, actor, version: int, *, new_due: date, reason: str, today: date,
           now: datetime | None = None) -> ServiceRequest:
    """A new due date with its reason. It moves due_now (and when the item falls overdue), never
    plan_due; each extension is kept and counted."""
    _begin(item, "extend", version, actor)
    before = item.due_now
    if before is not None and new_due <= before:
        raise LedgerRefused("not_later")
    if new_due < today:
        raise LedgerRefused("past_due")
    item.extensions.append(Extension(new_due=new_due, reason=reason, by_user_id=actor.id, at=now or now_aware()))
    item.current_due = new_due
    return _record(item, actor, EventKind.extended, item.status,
                   detail=f"{before.isoformat() if before else '—'} → {new_due.isoformat()}\n{reason}", at=now)


@move
def reassign(item: ServiceRequest, actor, version: int, *, unit: str, person: str, reason: str) -> ServiceRequest:
    """The responsible unit or person changes (the lead unit can change along the way); the trail
    keeps who it was."""
    _begin(item, "reassign", version, actor)
    before = f"{item.plan_unit or '—'} · {item.plan_person or '—'}"
    item.plan_unit, item.plan_person = unit, person
    return _record(item, actor, EventKind.reassigned, item.status,
                   detail=f"{before} → {unit} · {person}\n{reason}")


@move
def finish(item: ServiceRequest, actor, version: int, *, result: str, evidence: str,
           now: datetime | None = None) -> ServiceRequest:
    """办结: the department's result, with what shows it, and its request for close-out."""
    _begin(item, "finish", version, actor)
    item.closeout_result, item.closeout_evidence, item.done_at = result, evidence or None, now or now_aware()
    return _record(item, actor, EventKind.done, D, detail=f"{result}\n{evidence}" if evidence else result, at=now)


@move
def confirm(item: ServiceRequest, actor, version: int, *, now: datetime | None = None) -> ServiceRequest:
    """销号: an organiser confirms the department's result. On time means closed_out_on <= plan_due.
    (`now`, like every move's, is for building history: a page never passes it.)"""
    _begin(item, "confirm", version, actor)
    item.closed_out_at = now or now_aware()
    item.closed_out_on = local_day(item.closed_out_at)
    return _record(item, actor, EventKind.closed_out, C, detail=item.closeout_result, at=now)


@move
def send_back(item: ServiceRequest, actor, version: int, *, reason: str) -> ServiceRequest:
    """Not done as the plan said: back to the department, with the organiser's reason."""
    _begin(item, "send_back", version, actor)
    item.done_at = None
    return _record(item, actor, EventKind.sent_back, PL, detail=reason)


@move
def mark_open(item: ServiceRequest, actor, version: int, *, note: str) -> ServiceRequest:
    """A reconciliation round's "still open", with the meeting's note."""
    _begin(item, "mark_open", version, actor)
    return _record(item, actor, EventKind.reconciled, item.status, detail=note)


def company_verdict(item: ServiceRequest, *, accepted: bool, rating: int, words: str | None) -> CloseOutVerdict:
    """The company, by its tracking link, confirms the close-out or disputes it: once per item,
    whatever happens to it afterwards (一事一评). A dispute returns the item to the department, no
    longer closed out, with the company's words on its trail for the department and organisers."""
    if item.verdict is not None:
        raise LedgerRefused("verdict_given")
    if not item.status.is_closed_out:
        raise LedgerRefused("not_closed_out")
    if rating not in RATINGS:
        raise LedgerRefused("rating_bad")
    words = (words or "").strip() or None
    if not accepted and not words:
        raise LedgerRefused("words_needed")
    verdict = CloseOutVerdict(request=item, accepted=accepted, rating=rating, words=words, at=now_aware())
    try:
        db.session.add(verdict)
        if accepted:
            _record(item, None, EventKind.confirmed, C, detail=words)
        else:
            item.closed_out_at = item.closed_out_on = item.done_at = None
            _record(item, None, EventKind.disputed, PL, detail=words)
    except (IntegrityError, StaleDataError):
        # A double tap, or the same link on two phones: the first verdict stands.
        db.session.rollback()
        raise LedgerRefused("verdict_given") from None
    return verdict


def allowed_moves(item: ServiceRequest, user) -> set[str]:
    """The moves this person may make on the item now (what _begin would let through), so that a
    page offers nothing it would refuse."""
    if not works_on(user, item):
        return set()
    allowed = {action for action, states in ALLOWED_FROM.items() if item.status in states}
    return allowed if user.is_organiser else allowed - ORGANISERS_ONLY


def _begin(item: ServiceRequest, action: str, version: int, actor) -> None:
    if item.version != version:
        raise LedgerRefused("conflict")
    if not works_on(actor, item):
        raise LedgerRefused("not_yours")
    if action in ORGANISERS_ONLY and not actor.is_organiser:
        raise LedgerRefused("organisers_only")
    if item.status not in ALLOWED_FROM[action]:
        raise LedgerRefused("illegal")


def _record(item: ServiceRequest, actor, kind: EventKind, to_status: Status, detail: str | None = None,
            at: datetime | None = None):
    """The move's one trail event, and the state. The flush is where a lost race shows (a
    conflict); the request's end commits, and kiosk.changes tells every page that shows the item."""
    # (The trail keeps naive UTC, as it always has.)
    when = {} if at is None else {"created_at": at if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)}
    item.events.append(RequestEvent(kind=kind, actor=actor, from_status=item.status, to_status=to_status,
                                    detail=detail, **when))
    item.status = to_status
    db.session.flush()
    return item
