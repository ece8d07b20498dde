"""What the company's ticket page says of its place in line and its wait (前面还有 N 位，预计等候约
15 分钟): its place from kiosk.service_requests.line, the wait from its booth's pace
(kiosk.figures.waits).

The page polls every few seconds, from every phone in the hall, so the booth's pace is worked out
once per change of its queue in each app server (kept by the booth's queue version, which every
take-up, call, outcome and transfer at the booth moves), and the place is one count. What the page
shows of both goes into its ETag (Estimate.tag): another company's request ahead finished moves the
count and so the tag, while a filing behind it, which changes nothing this company sees, keeps the
poll a 304.
"""
from flask import current_app

from kiosk.core.kept import kept
from kiosk.core.timeutil import utcnow
from kiosk.figures.visits import trail_rows, visits
from kiosk.figures.waits import UNKNOWN, Estimate, Pace, booth_pace, estimate
from kiosk.service_requests.line import ahead_of
from kiosk.service_requests.models import ServiceRequest


def place_of(item: ServiceRequest) -> Estimate | None:
    """The request's place and expected wait; None when it is in no line (called, taken, settled)."""
    ahead = ahead_of(item, utcnow())
    if ahead is None:
        return None
    fallback = current_app.config["WAIT_FALLBACK_MINUTES"]
    if not item.fair.is_open:  # a draft's, or a closed fair's (its close takes it to an end): nobody calls
        return Estimate(ahead, UNKNOWN, None, "closed", fallback)
    booth = item.booth
    pace = kept("booth_pace", (booth.id, booth.queue_version, fallback), lambda: _pace(booth.id, fallback))
    return estimate(ahead, pace, fallback)


def _pace(booth_id: int, fallback: int) -> Pace:
    return booth_pace(visits(trail_rows(booth_id=booth_id)), booth_id, fallback)


def place_tag(place: Estimate | None) -> str:
    """The place's part of the ticket page's ETag."""
    return "-" if place is None else place.tag
