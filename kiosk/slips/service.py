"""Giving a slip, and following up a bad one. One slip per request, whoever brings it."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest
from kiosk.slips.models import DIMENSIONS, FollowUpCall, SatisfactionSlip, SlipChannel

#: an overall rating at or below this (不满意, 非常不满意) asks for a follow-up call
FOLLOW_UP_AT = 2


class SlipRefused(Exception):
    """reason: 'given' (a slip exists already), 'no_outcome' (nothing to rate yet), 'own_booth' (the
    rated booth may not type in its own rating) or 'no_number' (a paper slip without its number)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class SlipAnswers:
    confirmed: bool
    ratings: dict[str, int]  # the five dimensions and "overall", each 1..5
    comment: str | None = None


def rated_booth_staff(user, item: ServiceRequest) -> bool:
    """Staff of the lead booth or of a joint booth: the booths a slip on this request rates."""
    return user.booth_id is not None and (
        user.booth_id == item.booth_id or any(b.id == user.booth_id for b in item.joint_booths))


def give_slip(item: ServiceRequest, answers: SlipAnswers, channel: SlipChannel, entered_by=None,
              paper_number: str | None = None) -> SatisfactionSlip:
    """The 好差评 rule (GB/T 39734): the rated unit never writes its own rating. The company rates on
    its phone or on the tablet handed over in slip mode (the company holds it); a paper slip is typed
    in only by someone outside the rated booths (an organiser), with the paper slip's number."""
    if channel is SlipChannel.paper:
        if entered_by is None or rated_booth_staff(entered_by, item):
            raise SlipRefused("own_booth")
        if not paper_number:
            raise SlipRefused("no_number")
    if not item.takes_slip:  # (an outcome given at the fair: not a request handed over at the close)
        raise SlipRefused("no_outcome")
    if item.slip is not None:
        raise SlipRefused("given")
    slip = SatisfactionSlip(
        request_id=item.id, channel=channel, confirmed=answers.confirmed, comment=answers.comment or None,
        entered_by=entered_by, paper_number=paper_number if channel is SlipChannel.paper else None,
        needs_followup=not answers.confirmed or answers.ratings["overall"] <= FOLLOW_UP_AT,
        **{name: answers.ratings[name] for name in (*DIMENSIONS, "overall")})
    try:
        # Any flush may be where a second slip for the same request (a double tap) or a
        # simultaneous change shows: all of it inside the try.
        db.session.add(slip)
        # The trail says a slip was given, never what it said: booth staff read the trail.
        item.events.append(RequestEvent(kind=EventKind.slip, actor=entered_by, detail=channel.value))
        db.session.flush()
        # item.slip is a view-only relationship, which a flush does not fill in: read it again.
        db.session.expire(item, ["slip"])
    except (IntegrityError, StaleDataError):
        # The first one stands.
        db.session.rollback()
        raise SlipRefused("given") from None
    return slip


def record_call(slip: SatisfactionSlip, caller, *, called_at: datetime, spoke_with: str, said: str,
                fixed: str | None, close: bool) -> FollowUpCall:
    call = FollowUpCall(slip=slip, caller=caller, called_at=called_at, spoke_with=spoke_with, said=said,
                        fixed=fixed or None)
    db.session.add(call)
    if close and slip.flag_open:
        slip.followup_closed_at = utcnow()
        slip.followup_closed_by_id = caller.id
    slip.request.events.append(RequestEvent(kind=EventKind.followup, actor=caller, detail=said))
    db.session.flush()
    return call
