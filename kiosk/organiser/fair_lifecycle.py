"""Opening, closing and reopening a fair. Closing freezes the tally; every move is on the fair's trail."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused, filled
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Fair, FairEvent, FairStatus
from kiosk.figures.tally import compute_tally
from kiosk.service_requests.models import ServiceRequest, Status

MESSAGES = {
    "illegal": _l("大集当前状态下不能这样操作。"),
    "reason": _l("重新开放须写明原因。"),
    "no_booths": _l("还没有摊位，不能开放。"),
}


OVERLAP_WARNING = _l(
    "注意：“%(fair)s”也在进行中，且有相同的摊位号（%(codes)s）。不含大集编号的旧短链接（如 %(example)s）"
    "将先请企业选择大集；请张贴本大集新打印的海报，其二维码只通向本大集。")


class FairMoveRefused(Refused):
    MESSAGES = MESSAGES


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


def close_fair(fair: Fair, actor) -> None:
    """Close and freeze the tally as it stands now: later close-outs never change it."""
    if fair.status is not FairStatus.open:
        raise FairMoveRefused("illegal")
    now = utcnow()
    fair.tally_snapshot = compute_tally(fair, taken_at=now)
    fair.closed_at = now
    _move(fair, actor, FairStatus.closed)


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
    or in progress. Closing freezes them as they are, so the organiser sees them first."""
    rows = db.session.execute(
        sa.select(Booth.id, ServiceRequest.ticket_no, ServiceRequest.status)
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_([Status.waiting, Status.in_progress]))
        .order_by(Booth.code, ServiceRequest.created_at, ServiceRequest.id)).all()
    booths = {booth.id: booth for booth in fair.booths}
    by_booth: dict[int, StillOpen] = {}
    for booth_id, ticket_no, status in rows:
        booth = booths[booth_id]
        entry = by_booth.setdefault(booth_id, StillOpen(booth.code, booth.name))
        (entry.waiting if status is Status.waiting else entry.in_progress).append(ticket_no)
    return list(by_booth.values())


def reopen_fair(fair: Fair, actor, reason: str) -> list[Overlap]:
    """Back to open, with a reason on the trail; the frozen tally is set aside until it closes again.
    Answers the other open fairs sharing its booth codes, as open_fair does."""
    if fair.status is not FairStatus.closed:
        raise FairMoveRefused("illegal")
    if not (reason or "").strip():
        raise FairMoveRefused("reason")
    fair.tally_snapshot = None
    fair.closed_at = None
    _move(fair, actor, FairStatus.open, reason.strip())
    return overlaps(fair)


def _move(fair, actor, to_status, reason=None):
    fair.status = to_status
    fair.events.append(FairEvent(actor=actor, to_status=to_status, reason=reason))
    db.session.flush()
