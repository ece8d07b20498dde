"""Filing a request: one transaction that is safe to repeat."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from kiosk.changes import queue_moved
from kiosk.companies.models import Company
from kiosk.core.database import in_transaction
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.intake import sms_consent
from kiosk.intake.limits import SUBMIT_WINDOW, SUBMITS_PER_DEVICE
from kiosk.service_requests.analysis_copies import FILED
from kiosk.service_requests.models import Category, Channel, EventKind, RequestEvent, ServiceRequest, Status


class FairNotOpen(Exception):
    """The fair stopped taking requests between the form and the submit."""


class BoothNotOffered(Exception):
    """The booth is not one the fair's form offers: another fair's, unknown, or hidden meanwhile."""


class TooManySubmissions(Exception):
    """The phone has filed its share for now (intake.limits.SUBMITS_PER_DEVICE)."""


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
    #: the company ticked the form's consent to be texted its progress (kiosk.intake.sms_consent)
    sms_consent: bool = False


def stored_key(intake: Intake) -> str | None:
    """The form's key with a digest of what it says: the same form sent twice is one request, but a
    form the browser brought back (Back button) with its old key and a new need is a new one."""
    if not intake.submission_key:
        return None
    content = f"{intake.booth_id}|{intake.credit_code}|{intake.category.value}|{intake.need}"
    return f"{intake.submission_key[:40]}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"


class Filed(NamedTuple):
    """What the company is told: its request's id, ticket number and tracking token; and, for a
    request filed just now (not one this key filed before), what its ticket page shows besides what
    the form said: its booth's code and name, its fair's name, and when it was filed."""
    id: int
    ticket_no: str
    token: str
    booth_code: str | None = None
    booth_name: str | None = None
    fair_id: int | None = None
    fair_name: str | None = None
    filed_at: datetime | None = None


def submit_request(intake: Intake, channel: Channel = Channel.phone, actor=None,
                   fair_id: int | None = None) -> Filed:
    """Save the request; the same submission_key returns the request saved before.

    fair_id: the fair whose form was sent, which must offer the booth (its own, not hidden), else
    BoothNotOffered. An intake with a device (a phone's) may file SUBMITS_PER_DEVICE requests per
    SUBMIT_WINDOW, else TooManySubmissions; a repeat of one already filed is always answered.

    Committed at once, with whatever else the request's session holds (a phone's submission holds
    nothing else; a walk-in, what the booth's page read), and tried again after a lost race
    (kiosk.core.database.in_transaction).
    """
    now = utcnow()
    row = {  # the request's row, as _file writes it
        "booth_id": intake.booth_id, "company_name": intake.company_name, "submission_key": stored_key(intake),
        "channel": channel, "device": intake.device, "category": intake.category, "need": intake.need,
        "project_name": intake.project_name or None,
        "amount_wan": intake.amount_wan if intake.category is Category.funding else None,
        "contact_name": intake.contact_name, "contact_mobile": intake.mobile, "status": Status.waiting,
        "sms_consent_at": now if intake.sms_consent else None,
        "sms_consent_wording": sms_consent.CURRENT if intake.sms_consent else None,
        "version": 1, "created_at": now, "updated_at": now}

    def attempt() -> Filed:
        # A new token each attempt: a COMMIT that raised may have landed with the one before.
        return _file(db.session.connection(), {**row, "token": secrets.token_urlsafe(18)},
                     intake.credit_code, fair_id, actor.id if actor is not None else None)

    return in_transaction(attempt)


def _file(connection: sa.Connection, row: dict, credit_code: str, form_fair_id: int | None,
          actor_id: int | None) -> Filed:
    """The filing's steps in its transaction: one statement that reads all the rules need, then
    the writes, a statement each (each statement is a round trip and an execution's cost). Past
    the ORM: its bookkeeping cost more than the statements, and a fair's first minutes bring
    hundreds of filings at once.

    On PostgreSQL two filings at one booth meet at the UPDATE that takes the ticket number: its
    row lock holds the second until the first commits, and it then reads the number anew. Two
    that make one company, or file one form twice at once, meet at a unique index: the second
    fails, and in_transaction tries it again, when it finds the company, or the request, made.
    (SQLite lets one transaction write at a time.)
    """
    now = row["created_at"]
    found = connection.execute(_READ, {
        "key": row["submission_key"], "booth_id": row["booth_id"], "device": row["device"],
        "since": now - SUBMIT_WINDOW, "credit_code": credit_code}).one()
    if found.earlier_id is not None:
        return Filed(found.earlier_id, found.earlier_ticket_no, found.earlier_token)
    if found.id is None or (form_fair_id is not None and (found.fair_id != form_fair_id or found.hidden)):
        raise BoothNotOffered()
    if row["device"] and found.recent >= SUBMITS_PER_DEVICE:
        raise TooManySubmissions()
    if found.fair_status is not FairStatus.open:
        raise FairNotOpen()
    company_id = found.company_id
    if company_id is None:
        company_id = connection.scalar(_INSERT_COMPANY, {
            "credit_code": credit_code, "name": row["company_name"], "created_at": now})
    # The ticket number as late as it can be taken (the request and its event need it): the
    # UPDATE's row lock holds the booth's other filings from here until COMMIT.
    sequence = connection.scalar(_NEXT_SEQUENCE, {"booth": found.id})
    # The fair may have closed since the read above: a close locks its booths and takes every open
    # request to an end (kiosk.organiser.fair_lifecycle.close_fair), so a filing that read "open"
    # and then waited for this booth's lock would land a waiting request in a closed fair. Read the
    # status again now that the lock is ours, in a statement of its own (on PostgreSQL a new
    # snapshot, which sees the close committed; SQLite lets one writer at a time).
    if connection.scalar(_FAIR_STATUS, {"fair": found.fair_id}) is not FairStatus.open:
        raise FairNotOpen()
    ticket_no = ticket_number(found.code, sequence)
    request_id = connection.scalar(_INSERT_REQUEST, {
        **row, "fair_id": found.fair_id, "company_id": company_id, "ticket_no": ticket_no})
    # the company's category at this fair, for the categories that recur (the bottleneck analysis's copy)
    connection.execute(FILED[connection.dialect.name], {
        "company_id": company_id, "category": row["category"], "fair_id": found.fair_id})
    connection.execute(_INSERT_EVENT, {
        "request_id": request_id, "kind": EventKind.submitted, "to_status": Status.waiting,
        "to_booth_id": found.id, "actor_id": actor_id, "created_at": now})
    return Filed(request_id, ticket_no, row["token"], found.code, found.name, found.fair_id, found.fair_name, now)


def ticket_number(booth_code: str, sequence: int) -> str:
    """A request's ticket number: its booth's code and its place in the booth's sequence (B07-001)."""
    return f"{booth_code}-{sequence:03d}"


# The statements, built once. Written against the tables, so that the ORM takes no part in running
# them. (An INSERT's or UPDATE's parameters are the columns it sets: Core would set any column a
# parameter is named after.)
_requests, _events, _companies, _booths, _fairs, _departments = (
    ServiceRequest.__table__, RequestEvent.__table__, Company.__table__, Booth.__table__, Fair.__table__,
    Department.__table__)

_earlier = _requests.alias("earlier")
#: everything the filing reads, in one statement (one round trip, one execution): a request this
#: key filed before; the booth (named after its department) and its fair; how many requests the
#: device filed in the window; the company of the credit code. From a row of its own, so that it
#: answers one row whether or not the booth, the earlier request or the company exist.
_READ = (
    sa.select(
        _earlier.c.id.label("earlier_id"), _earlier.c.ticket_no.label("earlier_ticket_no"),
        _earlier.c.token.label("earlier_token"),
        _booths.c.id, _booths.c.code, _departments.c.name, _booths.c.fair_id, _booths.c.hidden,
        _fairs.c.status.label("fair_status"), _fairs.c.name.label("fair_name"),
        sa.select(sa.func.count()).select_from(_requests).where(
            _requests.c.device == sa.bindparam("device"), _requests.c.created_at >= sa.bindparam("since"),
        ).scalar_subquery().label("recent"),
        sa.select(_companies.c.id).where(_companies.c.credit_code == sa.bindparam("credit_code"))
        .scalar_subquery().label("company_id"))
    .select_from(
        sa.select(sa.literal_column("1").label("one")).subquery("one")
        .outerjoin(_earlier, _earlier.c.submission_key == sa.bindparam("key"))
        .outerjoin(_booths, _booths.c.id == sa.bindparam("booth_id"))
        .outerjoin(_fairs, _fairs.c.id == _booths.c.fair_id)
        .outerjoin(_departments, _departments.c.id == _booths.c.department_id)))
#: the company of its first request's name: a later filing never renames it (credit codes are
#: public, so anyone could); the request keeps its own name, and organisers resolve differences
_INSERT_COMPANY = sa.insert(_companies).returning(_companies.c.id)
#: takes the booth's next ticket number and moves its queue (past the ORM, so kiosk.changes cannot
#: see it); the UPDATE locks the row until COMMIT
_NEXT_SEQUENCE = (sa.update(_booths).where(_booths.c.id == sa.bindparam("booth"))
                  .values(last_seq=_booths.c.last_seq + 1, **queue_moved(_booths))
                  .returning(_booths.c.last_seq))
_INSERT_REQUEST = sa.insert(_requests).returning(_requests.c.id)
_FAIR_STATUS = sa.select(_fairs.c.status).where(_fairs.c.id == sa.bindparam("fair"))
_INSERT_EVENT = sa.insert(_events)
