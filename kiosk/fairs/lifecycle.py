"""Opening, closing and reopening a fair. Closing freezes the tally; every move is on the fair's trail."""
from flask_babel import lazy_gettext as _l

from kiosk.extensions import db
from kiosk.fairs.models import Fair, FairEvent, FairStatus
from kiosk.figures.tally import compute_tally
from kiosk.refusals import Refused
from kiosk.timeutil import utcnow

MESSAGES = {
    "illegal": _l("大集当前状态下不能这样操作。"),
    "reason": _l("重新开放须写明原因。"),
    "no_booths": _l("还没有摊位，不能开放。"),
}


class FairMoveRefused(Refused):
    MESSAGES = MESSAGES


def open_fair(fair: Fair, actor) -> None:
    if fair.status is not FairStatus.draft:
        raise FairMoveRefused("illegal")
    if not fair.booths:
        raise FairMoveRefused("no_booths")
    _move(fair, actor, FairStatus.open)


def close_fair(fair: Fair, actor) -> None:
    """Close and freeze the tally as it stands now: later close-outs never change it."""
    if fair.status is not FairStatus.open:
        raise FairMoveRefused("illegal")
    now = utcnow()
    fair.tally_snapshot = compute_tally(fair, taken_at=now)
    fair.closed_at = now
    _move(fair, actor, FairStatus.closed)


def reopen_fair(fair: Fair, actor, reason: str) -> None:
    """Back to open, with a reason on the trail; the frozen tally is set aside until it closes again."""
    if fair.status is not FairStatus.closed:
        raise FairMoveRefused("illegal")
    if not (reason or "").strip():
        raise FairMoveRefused("reason")
    fair.tally_snapshot = None
    fair.closed_at = None
    _move(fair, actor, FairStatus.open, reason.strip())


def _move(fair, actor, to_status, reason=None):
    fair.status = to_status
    fair.events.append(FairEvent(actor=actor, to_status=to_status, reason=reason))
    db.session.flush()
