"""Opening, closing and reopening a fair. Closing freezes the tally; every move is on the fair's trail.

Nothing falls out at the close (DESIGN.md): each request still waiting or in progress is taken to an
end in the same step, as the organiser chose on the close page: handed to its lead booth's
department as an after-fair item (会后办理: planned, on the ledger, with a reply deadline) or ended
with a reason (withdrawn). No path closes a fair with one left open: given no choices, the close
hands every one over, as the page's default does; given choices, it refuses while a request it was
not told about is open (one filed after the organiser looked), so that the organiser looks again.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused, filled
from kiosk.core.timeutil import local_day, utcnow
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Booth, Fair, FairEvent, FairStatus
from kiosk.figures.tally import compute_tally
from kiosk.service_requests.after_fair import EndReason, due_ceiling
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status

MESSAGES = {
    "illegal": _l("大集当前状态下不能这样操作。"),
    "reason": _l("重新开放须写明原因。"),
    "no_booths": _l("还没有摊位，不能开放。"),
    "due_too_soon": _l("答复时限须晚于闭幕当天。"),
    "due_too_far": _l("答复时限不能晚于 %(latest)s（闭幕日后 %(days)s 天，与延期上限相同）。"),
    "busy": _l("闭幕时有需求刚被摊位更新，大集没有闭幕。请重新查看仍未办完的需求后再确认。"),
}

NEWLY_OPEN = _l("您查看之后又有需求提交或退回办理（%(tickets)s），大集没有闭幕。已把它们加入下面的列表，"
                "请为它们选择去向后再确认。")

OVERLAP_WARNING = _l(
    "注意：“%(fair)s”也在进行中，且有相同的摊位号（%(codes)s）。不含大集编号的旧短链接（如 %(example)s）"
    "将先请企业选择大集；请张贴本大集新打印的海报，其二维码只通向本大集。")

#: the states a request is still open in: nobody has given it an outcome
OPEN = (Status.waiting, Status.in_progress)


class FairMoveRefused(Refused):
    MESSAGES = MESSAGES


class NewlyOpen(FairMoveRefused):
    """The close was told what to do with some open requests, and others are open too: filed (or
    transferred back to waiting) after the organiser looked. Nothing is closed."""

    def __init__(self, tickets: list[str]):
        super().__init__("newly_open")
        self.tickets = tickets

    @property
    def message(self):
        return filled(NEWLY_OPEN, tickets="、".join(self.tickets))


@dataclass(frozen=True)
class Overlap:
    """Another open fair with some of the same booth codes: an old short link /b/B07 (no fair in
    it) can no longer tell the two apart and asks the company to choose. A warning, never a refusal:
    two districts may well run fairs on one server on the same day."""
    fair: Fair
    codes: tuple[str, ...]


def open_fair(fair: Fair, actor) -> list[Overlap]:
    """Open it; answers the other open fairs whose booth codes it shares, for the organiser to see."""
    if fair.status is not FairStatus.draft:
        raise FairMoveRefused("illegal")
    if not fair.booths:
        raise FairMoveRefused("no_booths")
    _move(fair, actor, FairStatus.open)
    return overlaps(fair)


def overlaps(fair: Fair) -> list[Overlap]:
    """The other open fairs sharing booth codes with this one, oldest first, each with the codes."""
    codes = {booth.code.upper() for booth in fair.booths}
    rows = db.session.execute(
        sa.select(Fair, Booth.code).join(Booth, Booth.fair_id == Fair.id)
        .where(Fair.status == FairStatus.open, Fair.id != fair.id, sa.func.upper(Booth.code).in_(codes))
        .order_by(Fair.date, Fair.id, Booth.code)).all()
    shared: dict[Fair, list[str]] = {}
    for other, code in rows:
        shared.setdefault(other, []).append(code)
    return [Overlap(other, tuple(codes)) for other, codes in shared.items()]


def overlap_warning(overlap: Overlap):
    """What the organiser is told about one overlap, in their language."""
    return filled(OVERLAP_WARNING, fair=overlap.fair.name, codes="、".join(overlap.codes),
                  example=f"/b/{overlap.codes[0]}")


def default_reply_due(close_day: date) -> date:
    """A handed-over item's reply deadline unless the organiser sets another: the
    AFTER_FAIR_REPLY_WORKING_DAYS-th working day after the close day (China's calendar)."""
    return add_working_days(close_day, current_app.config["AFTER_FAIR_REPLY_WORKING_DAYS"])


@dataclass
class Closed:
    """What a close did with the requests still open at it, as ticket numbers (for the organiser's
    message): handed over, ended, and those listed on the page that got an outcome meanwhile."""
    handed_over: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    settled_meanwhile: list[str] = field(default_factory=list)


def close_fair(fair: Fair, actor, ends: Mapping[int, EndReason | None] | None = None, *,
               due: date | None = None, now: datetime | None = None) -> Closed:
    """Close, taking every request still open to an end, and freeze the tally as it then stands:
    later close-outs never change it.

    ends: request id -> None (hand it over) or the reason to end it, as the close page posts it for
    the requests it listed; None hands every open request over. due: the handed-over items' reply
    deadline (default_reply_due of the close day unless given), after the close day and within the
    plans' limit. Refused (FairMoveRefused, NewlyOpen) after its first writes: the caller rolls back
    (a view's 4xx answer does). `now` is for building history (the demo); a page never passes it.
    """
    if fair.status is not FairStatus.open:
        raise FairMoveRefused("illegal")
    now = now or utcnow()
    today = local_day(now)
    due = due or default_reply_due(today)
    if due <= today:
        raise FairMoveRefused("due_too_soon")
    if due > due_ceiling(today):
        raise FairMoveRefused("due_too_far", latest=due_ceiling(today).isoformat(),
                              days=current_app.config["EXTENSION_CEILING_DAYS"])
    # First hold the fair's booths (PostgreSQL: a filing in flight holds its booth's row until it
    # commits, so it is waited for and read below) and write the close (SQLite: the database's one
    # writer from here on, so no filing commits between the read below and the end of the close).
    db.session.execute(sa.select(Booth.id).where(Booth.fair_id == fair.id).with_for_update())
    _move(fair, actor, FairStatus.closed, at=now)
    still = _open_now(fair)
    if ends is not None and (unknown := [item.ticket_no for item in still if item.id not in ends]):
        raise NewlyOpen(unknown)
    listed = {item.id for item in still}
    closed = Closed(settled_meanwhile=_tickets(fair, set(ends or ()) - listed))
    try:
        for item in still:
            reason = (ends or {}).get(item.id)
            if reason is None:
                _hand_over(item, actor, due, today, now)
                closed.handed_over.append(item.ticket_no)
            else:
                _end(item, actor, reason, now)
                closed.ended.append(item.ticket_no)
        db.session.flush()
    except StaleDataError:  # a booth saved one of them after it was read here
        db.session.rollback()
        raise FairMoveRefused("busy") from None
    fair.tally_snapshot = compute_tally(fair, taken_at=now)
    fair.closed_at = now
    db.session.flush()
    return closed


def open_requests(fair: Fair) -> list[ServiceRequest]:
    """The requests nobody has finished yet, as the close page lists them: booth by booth (code
    order), oldest first, with their booth, department and company loaded."""
    return list(db.session.scalars(
        sa.select(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_(OPEN))
        .order_by(Booth.code, ServiceRequest.created_at, ServiceRequest.id)
        .options(so.contains_eager(ServiceRequest.booth).joinedload(Booth.department))))


@dataclass
class StillOpen:
    """One booth's requests nobody has finished yet: what the organiser weighs before closing."""
    code: str
    name: str
    #: ticket numbers, oldest first
    waiting: list[str] = field(default_factory=list)
    in_progress: list[str] = field(default_factory=list)


def still_open(fair: Fair) -> list[StillOpen]:
    """Booth by booth (in code order, only booths with something open), the requests still waiting
    or in progress: the close takes each to an end, so the organiser sees them first."""
    by_booth: dict[int, StillOpen] = {}
    for item in open_requests(fair):
        entry = by_booth.setdefault(item.booth_id, StillOpen(item.booth.code, item.booth.name))
        (entry.waiting if item.status.awaits_staff else entry.in_progress).append(item.ticket_no)
    return list(by_booth.values())


def reopen_fair(fair: Fair, actor, reason: str) -> list[Overlap]:
    """Back to open, with a reason on the trail; the frozen tally is set aside until it closes again.
    What the close handed over stays on the ledger, and what it ended stays ended. Answers the other
    open fairs sharing its booth codes, as open_fair does."""
    if fair.status is not FairStatus.closed:
        raise FairMoveRefused("illegal")
    if not (reason or "").strip():
        raise FairMoveRefused("reason")
    fair.tally_snapshot = None
    fair.closed_at = None
    _move(fair, actor, FairStatus.open, reason.strip())
    return overlaps(fair)


def _open_now(fair: Fair) -> list[ServiceRequest]:
    return list(db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_(OPEN))
        .order_by(ServiceRequest.id).options(so.joinedload(ServiceRequest.booth).joinedload(Booth.department))
        .execution_options(populate_existing=True)))


def _tickets(fair: Fair, ids: set[int]) -> list[str]:
    """The fair's tickets among these ids (a posted id of another fair's request names nothing)."""
    if not ids:
        return []
    return list(db.session.scalars(sa.select(ServiceRequest.ticket_no).where(
        ServiceRequest.fair_id == fair.id, ServiceRequest.id.in_(ids)).order_by(ServiceRequest.ticket_no)))


def _hand_over(item: ServiceRequest, actor, due: date, today: date, now: datetime) -> None:
    """会后办理: to the lead booth's department, due by `due`. Planned, so that it is on the ledger
    and every ledger rule applies (who works on it, overdue, extensions, close-out); no plan text,
    since none was given at the fair."""
    unit = item.booth.department.name
    item.plan_unit, item.plan_due, item.current_due, item.handed_over_on = unit, due, due, today
    _record(item, actor, EventKind.handed_over, Status.planned, f"{unit} · {due.isoformat()}", now)


def _end(item: ServiceRequest, actor, reason: EndReason, now: datetime) -> None:
    item.end_reason = reason
    # The trail keeps the reason in words (in the kiosk's own language, as staff write theirs).
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        detail = str(reason.label)
    _record(item, actor, EventKind.ended, Status.withdrawn, detail, now)


def _record(item: ServiceRequest, actor, kind: EventKind, to_status: Status, detail: str, now: datetime) -> None:
    item.events.append(RequestEvent(kind=kind, actor=actor, from_status=item.status, to_status=to_status,
                                    detail=detail, created_at=now))
    item.status = to_status


def _move(fair, actor, to_status, reason=None, at=None):
    fair.status = to_status
    fair.events.append(FairEvent(actor=actor, to_status=to_status, reason=reason, created_at=at or utcnow()))
    db.session.flush()
