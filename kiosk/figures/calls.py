"""The hall screen's band of calls (叫号): the tickets called now, newest first, with the booth and
its zone the company is asked to go to. Like the rest of the screen (kiosk.figures.hall), no
personal data: the ticket number, never the company's name."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Zone
from kiosk.service_requests.models import ServiceRequest, Status

#: how many calls the band holds (as many as fit its one line are shown, each whole)
LATEST_CALLS = 6


@dataclass(frozen=True)
class Call:
    at: datetime  #: the latest call (naive UTC, as stored)
    ticket_no: str
    booth_code: str
    zone: str
    #: changes with every call, again or new: the screen's chime plays when the newest's changes
    key: str


def latest_calls(fair_id: int, limit: int = LATEST_CALLS) -> list[Call]:
    """The fair's tickets called now (called and not yet taken up, skipped or transferred), the
    latest call first."""
    rows = db.session.execute(
        sa.select(ServiceRequest.called_at, ServiceRequest.ticket_no, Booth.code, Zone.name, ServiceRequest.id,
                  ServiceRequest.call_count)
        .join(Booth, ServiceRequest.booth_id == Booth.id).join(Zone, Booth.zone_id == Zone.id)
        .where(ServiceRequest.fair_id == fair_id, ServiceRequest.status == Status.waiting,
               ServiceRequest.called_at.is_not(None), ServiceRequest.no_show_at.is_(None))
        .order_by(ServiceRequest.called_at.desc(), ServiceRequest.id.desc()).limit(limit))
    return [Call(at=at, ticket_no=ticket, booth_code=code, zone=zone, key=f"{request_id}-{count}")
            for at, ticket, code, zone, request_id, count in rows]
