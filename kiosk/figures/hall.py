"""What the hall's big screen (数据大屏) shows besides the tally: the latest outcomes, and the overdue
count once the demand ledger exists.

Everything here is shown to a hall full of people, so it carries no personal data: no contact, no
phone, no request text, and no company name either. A company's name beside "funding: plan given"
tells its competitors in the hall what it is short of, and a sole trader (个体工商户) is often named
after its owner; the booth, the category, the outcome and the time say what the screen is for (the
fair is working) without naming anyone.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status

#: how many outcomes the screen lists
LATEST = 8
#: the trail events that give a request its outcome at the fair
_OUTCOMES = (EventKind.resolved, EventKind.planned)
#: the states in which a request still has the outcome it was given (closed out after its plan too)
_STILL_THERE = [status for status in Status if status.has_outcome]


@dataclass(frozen=True)
class Outcome:
    at: datetime  #: when the outcome was recorded (naive UTC, as stored)
    booth_code: str
    booth_name: str
    category: str  #: a Category value
    outcome: str  #: a Status value: resolved or planned


def latest_outcomes(fair_id: int, limit: int = LATEST) -> list[Outcome]:
    """The last outcomes recorded at the fair, newest first, one per request: its latest (a request
    reopened and given another outcome shows once), and none for a request whose outcome was since
    undone (reopened, withdrawn)."""
    last_of_each = (sa.select(sa.func.max(RequestEvent.id)).join(ServiceRequest)
                    .where(ServiceRequest.fair_id == fair_id, RequestEvent.kind.in_(_OUTCOMES))
                    .group_by(RequestEvent.request_id))
    rows = db.session.execute(
        sa.select(RequestEvent.created_at, Booth.code, Department.name, ServiceRequest.category,
                  RequestEvent.to_status)
        .join(ServiceRequest, RequestEvent.request_id == ServiceRequest.id)
        .join(Booth, ServiceRequest.booth_id == Booth.id).join(Department, Booth.department_id == Department.id)
        # (a request handed over at the close got no outcome at the fair, whatever one it had before)
        .where(RequestEvent.id.in_(last_of_each), ServiceRequest.status.in_(_STILL_THERE),
               ServiceRequest.handed_over_on.is_(None))
        .order_by(RequestEvent.created_at.desc(), RequestEvent.id.desc()).limit(limit))
    return [Outcome(at=at, booth_code=code, booth_name=name, category=category.value, outcome=status.value)
            for at, code, name, category, status in rows]

