"""Filing a request: one transaction that is safe to repeat."""
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from kiosk.companies.models import Company
from kiosk.database import in_transaction
from kiosk.extensions import db
from kiosk.fairs.models import Booth
from kiosk.service_requests.models import (
    Category, Channel, EventKind, RequestEvent, ServiceRequest, Status)


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
    #: the phone's browser session (ratelimits.device_id); none for staff entries
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


def submit_request(intake: Intake, channel: Channel = Channel.phone, actor=None) -> ServiceRequest:
    """Save the request and return it; the same submission_key returns the request saved before."""

    key = stored_key(intake)

    def work():
        if key:
            earlier = db.session.scalar(sa.select(ServiceRequest).filter_by(submission_key=key))
            if earlier is not None:
                return earlier
        booth = db.session.get(Booth, intake.booth_id)
        if booth is None or not booth.fair.is_open:
            raise FairNotOpen()
        company = _company(intake.credit_code, intake.company_name)
        request = ServiceRequest(
            fair_id=booth.fair_id, booth_id=booth.id, company=company,
            ticket_no=f"{booth.code}-{_next_sequence(booth.id):03d}",
            token=secrets.token_urlsafe(18), submission_key=key,
            channel=channel, category=intake.category, need=intake.need,
            project_name=intake.project_name or None,
            amount_wan=intake.amount_wan if intake.category is Category.funding else None,
            contact_name=intake.contact_name, contact_mobile=intake.mobile, status=Status.waiting,
            device=intake.device)
        request.events.append(RequestEvent(
            kind=EventKind.submitted, to_status=Status.waiting, to_booth_id=booth.id, actor=actor))
        db.session.add(request)
        db.session.flush()
        return request

    return in_transaction(work)


def _company(credit_code: str, name: str) -> Company:
    company = db.session.scalar(sa.select(Company).filter_by(credit_code=credit_code))
    if company is None:
        company = Company(credit_code=credit_code, name=name)
        db.session.add(company)
    elif company.name != name:
        company.name = name  # the latest name given wins; the code is what identifies it
    return company


def _next_sequence(booth_id: int) -> int:
    """Take the booth's next ticket number (and tell its queue); the UPDATE locks the row until COMMIT."""
    return db.session.execute(
        sa.update(Booth).where(Booth.id == booth_id)
        .values(last_seq=Booth.last_seq + 1, queue_version=Booth.queue_version + 1)
        .returning(Booth.last_seq)).scalar_one()
