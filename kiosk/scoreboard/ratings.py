"""The matter's one rating (一事一评), kept on the request (ServiceRequest.rating): the company's
rating of the close-out where it gave one, else its fair-day slip's overall rating.

Kept by a flush listener, as kiosk.changes keeps the versions: whichever service writes a slip or a
verdict (the tracking page, slip mode, a paper slip, the company's confirmation or dispute), the
request's rating follows in the same flush, and no service has to remember it. The scoreboard then
counts ratings from the requests' own index: joining the slips and verdicts to a year of requests
took it to 4x a bare GROUP BY scan on SQLite (bench/scoreboard.py).
"""
import sqlalchemy.orm as so
from sqlalchemy import event

from kiosk.ledger.models import CloseOutVerdict
from kiosk.service_requests.models import ServiceRequest
from kiosk.slips.models import SatisfactionSlip


@event.listens_for(so.Session, "before_flush")
def _rate(session: so.Session, _context, _instances) -> None:
    for obj in list(session.new):
        if isinstance(obj, CloseOutVerdict):
            item = obj.request or session.get(ServiceRequest, obj.request_id)
            if item is not None:
                item.rating, item.rated_on_closeout = obj.rating, True
        elif isinstance(obj, SatisfactionSlip):
            item = obj.request or session.get(ServiceRequest, obj.request_id)
            # A verdict rated what was done, the slip only the plan: the verdict's stands.
            if item is not None and not item.rated_on_closeout:
                item.rating = obj.overall
