"""A planned item's life after the fair, on the demand ledger: every move, which states allow it,
who may make it, and its one trail event. The same pattern as service_requests.workflow: each move
checks the version the person saw (a lost update is a conflict, not an overwrite).

Two-step close-out, as GLPI closes a ticket only once the requester approves: the department's
staff record the result and ask for close-out (`finish`: planned -> done, 办结); an organiser
confirms it (`confirm`: done -> closed_out, 销号) or sends it back with a reason (`send_back`: done ->
planned). After close-out the company confirms or disputes the result once (`company_verdict`); a
dispute sends the item back to the department (closed_out -> planned) with the company's words.

A deadline moves only by an approved Extension, as supervision practice has it: a department asks
(`ask_extension`: the new date and why; nothing moves yet), an organiser approves it (the due date
moves) or refuses it with a reason the department reads, one request at a time; an organiser may
also extend directly (`extend`, on the item's page or by a reconciliation round's mark), approved as
it is made. No due date goes past the ceiling (EXTENSION_CEILING_DAYS past plan_due), and plan_due
stays the date given at the fair, so that on time is always judged against it.
"""
from collections.abc import Sequence
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.auth.access import works_on
from kiosk.core.extensions import db
from kiosk.core.timeutil import local_day, now_aware
from kiosk.ledger import evidence as evidence_files
from kiosk.ledger.models import CloseOutVerdict, Extension, ExtensionStatus
from kiosk.notifications import messages
from kiosk.service_requests import workflow
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status
from kiosk.service_requests.workflow import WorkflowError, move

PL, D, C = Status.planned, Status.done, Status.closed_out

#: move -> the states it may start from
ALLOWED_FROM = {
    "progress": {PL, D},
    "ask_extension": {PL, D},
    "approve_extension": {PL, D},
    "refuse_extension": {PL, D},
    "extend": {PL, D},
    "reassign": {PL, D},
    "finish": {PL},
    "confirm": {D},
    "send_back": {D},
    "mark_open": {PL, D},
}
#: the moves only an organiser makes: the close-out is confirmed by someone other than the
#: department that did the work; a reconciliation round is the organisers' meeting; the supervising
#: office approves a deadline's extension, or extends it itself
ORGANISERS_ONLY = {"confirm", "send_back", "mark_open", "extend", "approve_extension", "refuse_extension"}
#: a department asks; an organiser does not ask itself, it extends
DEPARTMENTS_ONLY = {"ask_extension"}
#: the moves that give a new due date (none while a request waits), and those that decide a request
SETS_DUE = {"ask_extension", "extend"}
DECIDES_EXTENSION = {"approve_extension", "refuse_extension"}

#: the 好差评 scale of a verdict's rating
RATINGS = range(1, 6)

#: the reason on a request for more time still waiting when its item is closed out (kept in
#: Chinese on the record, as every reason typed is)
CLOSED_OUT_REFUSAL = "已销号，无需延期。"

MESSAGES = {
    **workflow.MESSAGES,
    "not_yours": _l("这条需求不属于本部门，不能办理。"),
    "organisers_only": _l("只有组织方可以销号或退回。"),
    "organisers_decide": _l("延期由组织方审批：部门请提交延期申请。"),
    "departments_ask": _l("组织方可以直接延期，不需要提交申请。"),
    "not_later": _l("延期后的完成时限必须晚于现在的时限。"),
    "past_due": _l("延期后的完成时限不能早于今天。"),
    "ceiling": _l("新的完成时限最晚为 %(latest)s：延期不能超过原定完成时限（%(original)s）之后 %(days)d 天。"),
    "pending": _l("这项事项已有延期申请（申请延至 %(day)s）等待组织方审批，审批前不能再次申请。"),
    "decide_first": _l("这项事项有待审批的延期申请（申请延至 %(day)s），请先批准或不予批准。"),
    "none_pending": _l("这项事项没有待审批的延期申请，可能刚被其他组织方审批过。"),
    "asked_past": _l("申请延至的日期（%(day)s）已经过去，批准后仍然逾期。请不予批准并说明原因，由部门重新申请。"),
    "verdict_given": _l("这条需求已经确认或提出过异议，每条需求只能一次。"),
    "not_closed_out": _l("这条需求还没有销号，暂时不能确认。"),
    "words_needed": _l("提出异议时，请写明哪里没有办好。"),
    "rating_bad": _l("请选择评价等级。"),
}


class LedgerRefused(WorkflowError):
    MESSAGES = MESSAGES


@move
def progress(item: ServiceRequest, actor, version: int, *, text: str,
             files: Sequence[evidence_files.Checked] = ()) -> ServiceRequest:
    """A progress note (办理进展): the company sees it on its tracking page, unlike a staff note;
    with the evidence files attached to it (checked already: kiosk.ledger.evidence)."""
    _begin(item, "progress", version, actor)
    item.last_progress_on = local_day(now_aware())  # supervision's "no progress for N days" (kiosk.supervision.colours)
    _record(item, actor, EventKind.progress, item.status, detail=text)
    evidence_files.keep(item, item.events[-1], list(files), actor)
    return item


@move
def ask_extension(item: ServiceRequest, actor, version: int, *, new_due: date, reason: str, today: date,
                  now: datetime | None = None) -> ServiceRequest:
    """延期申请: the department asks for a later due date, with its reason. Nothing moves until an
    organiser approves it: the request waits on the item (extension_asked_on, the copy
    supervision's yellow reads), one at a time."""
    _begin(item, "ask_extension", version, actor)
    _check_new_due(item, new_due, today)
    item.extension_requests.append(Extension(new_due=new_due, reason=reason, status=ExtensionStatus.pending,
                                             by_user_id=actor.id, at=now or now_aware()))
    item.extension_asked_on = today
    try:
        _record(item, actor, EventKind.extension_asked, item.status, detail=_change(item.due_now, new_due, reason),
                at=now)
    except IntegrityError:  # another ask of the item landed first (uq_extension_pending): as a lost race
        db.session.rollback()
        raise LedgerRefused("conflict") from None
    messages.extension_asked(item, item.pending_extension)
    return item


@move
def approve_extension(item: ServiceRequest, actor, version: int, *, today: date,
                      now: datetime | None = None) -> ServiceRequest:
    """An organiser approves the request waiting: the due date moves to the date asked (the rules
    checked again: the ceiling's setting may have changed, the day asked for may have passed)."""
    _begin(item, "approve_extension", version, actor)
    asked = item.pending_extension
    _check_new_due(item, asked.new_due, today, past="asked_past")
    before = item.due_now
    asked.status, asked.decided_by_id, asked.decided_at = ExtensionStatus.approved, actor.id, now or now_aware()
    item.current_due, item.extension_asked_on = asked.new_due, None
    _record(item, actor, EventKind.extended, item.status, detail=_change(before, asked.new_due, asked.reason), at=now)
    messages.extension_approved(item, asked)
    return item


@move
def refuse_extension(item: ServiceRequest, actor, version: int, *, reason: str,
                     now: datetime | None = None) -> ServiceRequest:
    """An organiser refuses the request waiting, with a reason the department reads on the item's
    page; the due date stays, and the department may ask again."""
    _begin(item, "refuse_extension", version, actor)
    asked = item.pending_extension
    _refuse(asked, item, actor, reason, now)
    _record(item, actor, EventKind.extension_refused, item.status, detail=_change(item.due_now, asked.new_due, reason),
            at=now)
    messages.extension_refused(item, asked)
    return item


@move
def extend(item: ServiceRequest, actor, version: int, *, new_due: date, reason: str, today: date,
           now: datetime | None = None) -> ServiceRequest:
    """An organiser's own extension (on the item's page, or a reconciliation round's "延期"): a new
    due date with its reason, approved by them as it is made. It moves due_now (and when the item
    falls overdue), never plan_due; each extension is kept and counted."""
    _begin(item, "extend", version, actor)
    _check_new_due(item, new_due, today)
    before, when = item.due_now, now or now_aware()
    item.extension_requests.append(Extension(new_due=new_due, reason=reason, status=ExtensionStatus.approved,
                                             by_user_id=actor.id, at=when, decided_by_id=actor.id, decided_at=when))
    item.current_due = new_due
    _record(item, actor, EventKind.extended, item.status, detail=_change(before, new_due, reason), at=now)
    messages.extension_approved(item, item.extension_requests[-1])  # to the company, as an approval is
    return item


def _check_new_due(item: ServiceRequest, new_due: date, today: date, *, past: str = "past_due") -> None:
    """A new due date is later than the one standing, not past, and within the ceiling."""
    if item.due_now is not None and new_due <= item.due_now:
        raise LedgerRefused("not_later")
    if new_due < today:
        raise LedgerRefused(past, **({"day": new_due.isoformat()} if past == "asked_past" else {}))
    ceiling = item.due_ceiling
    if ceiling is not None and new_due > ceiling:
        raise LedgerRefused("ceiling", latest=ceiling.isoformat(), original=item.plan_due.isoformat(),
                            days=(ceiling - item.plan_due).days)


def _refuse(asked: Extension, item: ServiceRequest, actor, reason: str, now: datetime | None) -> None:
    asked.status, asked.decided_by_id, asked.decided_at = ExtensionStatus.refused, actor.id, now or now_aware()
    asked.refusal_reason = reason
    item.extension_asked_on = None


def _change(before: date | None, after: date, words: str) -> str:
    """A trail line's detail for a due date: "before → after", then the words (the department's
    reason, or the organiser's for a refusal)."""
    return f"{before.isoformat() if before else '—'} → {after.isoformat()}\n{words}"


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
           files: Sequence[evidence_files.Checked] = (), now: datetime | None = None) -> ServiceRequest:
    """办结: the department's result, with what shows it (its words, and the files attached, checked
    already: kiosk.ledger.evidence), and its request for close-out."""
    _begin(item, "finish", version, actor)
    item.closeout_result, item.closeout_evidence, item.done_at = result, evidence or None, now or now_aware()
    _record(item, actor, EventKind.done, D, detail=f"{result}\n{evidence}" if evidence else result, at=now)
    evidence_files.keep(item, item.events[-1], list(files), actor)
    messages.done(item)
    return item


@move
def confirm(item: ServiceRequest, actor, version: int, *, now: datetime | None = None) -> ServiceRequest:
    """销号: an organiser confirms the department's result. On time means closed_out_on <= plan_due.
    (`now`, like every move's, is for building history: a page never passes it.)"""
    _begin(item, "confirm", version, actor)
    if (asked := item.pending_extension) is not None:
        # Closed out, the department's request for more time has nothing left to decide: it is
        # refused as such, on the trail, rather than left waiting on a finished item.
        _refuse(asked, item, actor, CLOSED_OUT_REFUSAL, now)
        _record(item, actor, EventKind.extension_refused, item.status,
                detail=_change(item.due_now, asked.new_due, CLOSED_OUT_REFUSAL), at=now)
    item.closed_out_at = now or now_aware()
    item.closed_out_on = local_day(item.closed_out_at)
    _record(item, actor, EventKind.closed_out, C, detail=item.closeout_result, at=now)
    messages.closed_out(item)
    return item


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
    if not accepted:
        messages.disputed(verdict)
    return verdict


def allowed_moves(item: ServiceRequest, user) -> set[str]:
    """The moves this person may make on the item now (what _begin would let through), so that a
    page offers nothing it would refuse."""
    if not works_on(user, item):
        return set()
    allowed = {action for action, states in ALLOWED_FROM.items() if item.status in states}
    allowed -= SETS_DUE if item.pending_extension is not None else DECIDES_EXTENSION
    return allowed - (DEPARTMENTS_ONLY if user.is_organiser else ORGANISERS_ONLY)


def _begin(item: ServiceRequest, action: str, version: int, actor) -> None:
    if item.version != version:
        raise LedgerRefused("conflict")
    if not works_on(actor, item):
        raise LedgerRefused("not_yours")
    if action in ORGANISERS_ONLY and not actor.is_organiser:
        raise LedgerRefused("organisers_decide" if action in SETS_DUE | DECIDES_EXTENSION else "organisers_only")
    if action in DEPARTMENTS_ONLY and actor.is_organiser:
        raise LedgerRefused("departments_ask")
    if item.status not in ALLOWED_FROM[action]:
        raise LedgerRefused("illegal")
    asked = item.pending_extension
    if action in SETS_DUE and asked is not None:
        raise LedgerRefused("pending" if action == "ask_extension" else "decide_first", day=asked.new_due.isoformat())
    if action in DECIDES_EXTENSION and asked is None:
        raise LedgerRefused("none_pending")


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
