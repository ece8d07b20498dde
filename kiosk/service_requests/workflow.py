"""The request's life: every move a person can make, which states allow it, and its trail event.

Each move checks the version the person saw, so that two people saving one request at once cannot
overwrite each other: the second gets WorkflowError("conflict") and sees the current state.
"""
from datetime import date
from functools import wraps

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, FairStatus
from kiosk.notifications import messages
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status

W, P, R, PL, C, X = (Status.waiting, Status.in_progress, Status.resolved, Status.planned,
                     Status.closed_out, Status.withdrawn)

#: move -> the states it may start from
ALLOWED_FROM = {
    "take": {W},
    "resolve": {W, P},
    "plan": {W, P},
    "transfer": {W, P},
    "join": {W, P, PL},
    "withdraw": {W, P},
    "reopen": {R, PL, X},
    "note": {W, P, R, PL, C, X},
}

MESSAGES = {
    "conflict": _l("这条需求刚被其他人更新过，以下是最新状态。您填写的内容已保留，请核对后再提交。"),
    "illegal": _l("当前状态下不能进行这项操作。"),
    "past_due": _l("完成时限不能早于今天。"),
    "same_booth": _l("不能转给本摊位，请选择其他摊位。"),
    "other_fair": _l("只能转给本场大集的摊位。"),
    "already_joined": _l("所选摊位已在联合会商中。"),
    "no_booths": _l("请至少选择一个会商摊位。"),
    "extended": _l("这项方案已在需求台账中延期，不能重新办理。"),
    "fair_closed": _l("大集已闭幕，统计已冻结：这条需求只能添加备注，后续在需求台账中跟进。"),
}


class WorkflowError(Refused):
    MESSAGES = MESSAGES


def move(function):
    """A move as one unit: wherever SQLAlchemy flushes it (a lazy load, the move's own flush), the
    version-checked UPDATE matching no row means someone saved in between: a conflict."""
    @wraps(function)
    def guarded(item, actor, version, **data):
        try:
            return function(item, actor, version, **data)
        except StaleDataError:
            db.session.rollback()
            raise WorkflowError("conflict") from None
    return guarded


@move
def take(item, actor, version):
    _begin(item, "take", version)
    return _finish(item, actor, EventKind.taken, P)


@move
def resolve(item, actor, version, *, resolution: str):
    _begin(item, "resolve", version)
    item.resolution = resolution
    return _finish(item, actor, EventKind.resolved, R, detail=resolution)


@move
def plan(item, actor, version, *, plan_text: str, unit: str, person: str, due: date, today: date):
    _begin(item, "plan", version)
    if due < today:
        raise WorkflowError("past_due")
    item.plan_text, item.plan_unit, item.plan_person, item.plan_due = plan_text, unit, person, due
    item.current_due = due  # (due_now's copy for SQL; an extension moves it, never plan_due)
    detail = f"{plan_text}\n{unit} · {person} · {due.isoformat()}"
    _finish(item, actor, EventKind.planned, PL, detail=detail)
    messages.plan_given(item)
    return item


@move
def transfer(item, actor, version, *, to_booth: Booth, reason: str):
    _begin(item, "transfer", version)
    if to_booth.id == item.booth_id:
        raise WorkflowError("same_booth")
    if to_booth.fair_id != item.fair_id:
        raise WorkflowError("other_fair")
    old_booth = item.booth
    item.booth = to_booth
    # It joins the other booth's line at its end, uncalled (kiosk.service_requests.line).
    item.in_line_since, item.called_at, item.skipped_at, item.no_show_at = utcnow(), None, None, None
    if to_booth in item.joint_booths:
        item.joint_booths.remove(to_booth)
    # It arrives at the other booth as new: nobody there has taken it yet.
    return _finish(item, actor, EventKind.transferred, W, detail=reason,
                   from_booth=old_booth, to_booth=to_booth)


@move
def join(item, actor, version, *, booths: list[Booth], reason: str):
    _begin(item, "join", version)
    if not booths:
        raise WorkflowError("no_booths")
    if any(b.id == item.booth_id or b in item.joint_booths for b in booths):
        raise WorkflowError("already_joined")
    if any(b.fair_id != item.fair_id for b in booths):
        raise WorkflowError("other_fair")
    item.joint_booths.extend(booths)
    for booth in booths:
        item.events.append(RequestEvent(kind=EventKind.joined, actor=actor, to_booth=booth, detail=reason))
    return _finish(item, actor, None, item.status)


@move
def withdraw(item, actor, version, *, reason: str):
    _begin(item, "withdraw", version)
    return _finish(item, actor, EventKind.withdrawn, X, detail=reason)


@move
def reopen(item, actor, version, *, reason: str):
    """An outcome recorded by mistake: back to in progress; the trail keeps what was recorded."""
    _begin(item, "reopen", version)
    if item.extension_requests:
        # the ledger has worked on this plan (extended it, or been asked to): it stands, on the record
        raise WorkflowError("extended")
    item.resolution = item.plan_text = item.plan_unit = item.plan_person = item.plan_due = item.current_due = None
    # What a close did with it (handed over, ended) is undone too, at a fair reopened since: it is open again
    item.handed_over_on = item.end_reason = None
    return _finish(item, actor, EventKind.reopened, P, detail=reason)


@move
def note(item, actor, version, *, text: str):
    _begin(item, "note", version)
    return _finish(item, actor, EventKind.note, item.status, detail=text)


def allowed_moves(item: ServiceRequest) -> set[str]:
    """The moves a person may make on the request now: what its state allows, and once its fair has
    closed, notes only (the same rules _begin enforces, so the tablet offers nothing it would refuse)."""
    allowed = {action for action, states in ALLOWED_FROM.items() if item.status in states}
    return allowed & {"note"} if item.fair.status is FairStatus.closed else allowed


def _begin(item: ServiceRequest, action: str, version: int) -> None:
    if item.version != version:
        raise WorkflowError("conflict")
    if item.fair.status is FairStatus.closed and action != "note":
        # Its tally is printed: what happens next is the demand ledger's business, not the booth's.
        raise WorkflowError("fair_closed")
    if item.status not in ALLOWED_FROM[action]:
        raise WorkflowError("illegal")


def _finish(item, actor, kind, to_status, detail=None, from_booth=None, to_booth=None):
    """Write the event and move the state. The flush is where a lost race shows (as a conflict);
    the request's end commits, and kiosk.changes tells every screen that shows the request."""
    if kind is not None:
        item.events.append(RequestEvent(
            kind=kind, actor=actor, from_status=item.status, to_status=to_status, detail=detail,
            from_booth=from_booth, to_booth=to_booth))
    item.status = to_status
    db.session.flush()
    return item
