"""Filing a request: one transaction that is safe to repeat."""
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from kiosk.changes import queue_moved
from kiosk.companies.models import Company
from kiosk.database import in_transaction
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair, FairStatus
from kiosk.service_requests.models import Category, Channel, EventKind, RequestEvent, ServiceRequest, Status


class FairNotOpen(Exception):
    """The fair stopped taking requests between the form and the submit."""


@dataclass
class Intake:
    """What the form says, already validated and normalised."""
    booth_id: int
    company_name: str
    credit_code: str
    contact_name: str
    mobile: str
    category: Category
    need: str
    project_name: str | None = None
    amount_wan: Decimal | None = None
    submission_key: str | None = None
    #: the phone's browser session (intake.limits.device_id); none for staff entries
    device: str | None = None


def stored_key(intake: Intake) -> str | None:
    """The form's key with a digest of what it says: the same form sent twice is one request, but a
    form the browser brought back (Back button) with its old key and a new need is a new one."""
    if not intake.submission_key:
        return None
    content = f"{intake.booth_id}|{intake.credit_code}|{intake.category.value}|{intake.need}"
    return f"{intake.submission_key[:40]}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"


def already_filed(intake: Intake) -> bool:
    key = stored_key(intake)
    return key is not None and db.session.scalar(
        sa.select(ServiceRequest.id).filter_by(submission_key=key)) is not None


class Filed(NamedTuple):
    """What the company is told: its request's id, ticket number and tracking token."""
    id: int
    ticket_no: str
    token: str


def submit_request(intake: Intake, channel: Channel = Channel.phone, actor=None) -> Filed:
    """Save the request; the same submission_key returns the request saved before.

    Written as plain statements rather than through the ORM's unit of work: the first minutes of a
    fair bring hundreds of these at once, and the ORM's bookkeeping cost twice the statements.
    """
    key = stored_key(intake)

    def work():
        connection = db.session.connection()
        if key:
            earlier = connection.execute(_EARLIER, {"key": key}).first()
            if earlier is not None:
                return Filed(*earlier)
        booth = connection.execute(_BOOTH, {"booth_id": intake.booth_id}).first()
        if booth is None or booth.fair_status is not FairStatus.open:
            raise FairNotOpen()
        company_id = _company(connection, intake.credit_code, intake.company_name)
        sequence = connection.execute(_NEXT_SEQUENCE, {"booth_id": booth.id}).scalar_one()
        ticket_no, token = f"{booth.code}-{sequence:03d}", secrets.token_urlsafe(18)
        request_id = connection.execute(_INSERT_REQUEST, {
            "fair_id": booth.fair_id, "booth_id": booth.id, "company_id": company_id,
            "company_name": intake.company_name, "ticket_no": ticket_no, "token": token, "submission_key": key, "channel": channel,
            "category": intake.category, "need": intake.need, "project_name": intake.project_name or None,
            "amount_wan": intake.amount_wan if intake.category is Category.funding else None,
            "contact_name": intake.contact_name, "contact_mobile": intake.mobile, "status": Status.waiting,
            "device": intake.device}).scalar_one()
        connection.execute(_INSERT_EVENT, {
            "request_id": request_id, "kind": EventKind.submitted, "to_status": Status.waiting,
            "to_booth_id": booth.id, "actor_id": actor.id if actor is not None else None})
        return Filed(request_id, ticket_no, token)

    return in_transaction(work)


def _company(connection, credit_code: str, name: str) -> int:
    """The company's id, made with the name of its first request. A later filing never renames it:
    credit codes are public, so anyone could; the request keeps its own name, and a different one
    shows organisers a flag to resolve (companies.names)."""
    known = connection.execute(_COMPANY, {"credit_code": credit_code}).first()
    if known is None:
        return connection.execute(_INSERT_COMPANY, {"credit_code": credit_code, "name": name}).scalar_one()
    return known.id


# The statements, built once (they run for every submission). Written against the tables, so that
# the ORM takes no part in running them.
_requests, _events, _companies, _booths = (
    ServiceRequest.__table__, RequestEvent.__table__, Company.__table__, Booth.__table__)
_EARLIER = sa.select(_requests.c.id, _requests.c.ticket_no, _requests.c.token).where(
    _requests.c.submission_key == sa.bindparam("key"))
_BOOTH = (sa.select(_booths.c.id, _booths.c.code, _booths.c.fair_id, Fair.__table__.c.status.label("fair_status"))
          .join(Fair.__table__).where(_booths.c.id == sa.bindparam("booth_id")))
_COMPANY = sa.select(_companies.c.id).where(_companies.c.credit_code == sa.bindparam("credit_code"))
_INSERT_COMPANY = sa.insert(_companies).returning(_companies.c.id)
#: takes the booth's next ticket number and moves its queue (past the ORM, so kiosk.changes cannot
#: see it); the UPDATE locks the row until COMMIT
_NEXT_SEQUENCE = (sa.update(_booths).where(_booths.c.id == sa.bindparam("booth_id"))
                  .values(last_seq=_booths.c.last_seq + 1, **queue_moved(_booths))
                  .returning(_booths.c.last_seq))
_INSERT_REQUEST = sa.insert(_requests).returning(_requests.c.id)
_INSERT_EVENT = sa.insert(_events)
