"""A demo request as the kiosk would have filed and handled it, with its trail, and the slips
its company filled in: the one way both demo fairs (and the guides' screenshots) make them."""
import secrets
from datetime import UTC, timedelta
from decimal import Decimal

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.demo.content import NEEDS
from kiosk.intake import sms_consent
from kiosk.service_requests.models import Category, Channel, EventKind, RequestEvent, ServiceRequest, Status
from kiosk.slips.models import DIMENSIONS, SatisfactionSlip, SlipChannel
from kiosk.slips.service import FOLLOW_UP_AT


def file_request(fair, booth, company, category, status, organiser, rng, *, noon=None) -> ServiceRequest:
    """A request filed during the morning before noon (UTC; by default, now), taken to status
    through the events a booth's staff would have made."""
    booth.last_seq += 1
    created = (noon or utcnow()) - timedelta(minutes=rng.randint(5, 240))
    item = ServiceRequest(
        fair=fair, booth=booth, company=company, company_name=company.name,
        ticket_no=f"{booth.code}-{booth.last_seq:03d}",
        # A token as intake.service makes one: a demo's links are no easier to guess than any other.
        token=secrets.token_urlsafe(18), channel=Channel.phone, category=category,
        need=NEEDS[category], contact_name=rng.choice(["王经理", "李会计", "张总", "刘主任"]),
        contact_mobile=f"139{rng.randint(10000000, 99999999)}", status=status, created_at=created,
        amount_wan=Decimal(rng.choice([200, 500, 1000, 3000])) if category is Category.funding else None)
    if booth.last_seq % 2:  # every other company ticked the form's SMS consent (its texts: kiosk.notifications)
        sms_consent.agree(item, created)
    staff = organiser
    events = [RequestEvent(kind=EventKind.submitted, to_status=Status.waiting, to_booth=booth, created_at=created)]
    if status is not Status.waiting:
        events.append(RequestEvent(kind=EventKind.taken, from_status=Status.waiting, to_status=Status.in_progress,
                                   actor=staff, created_at=created + timedelta(minutes=3)))
    if status is Status.resolved:
        item.resolution = "已现场答复并办理完毕，相关材料当场交付企业。"
    if status.has_plan:
        item.plan_text = "会后五个工作日内组织现场踏勘，出具书面办理意见。"
        item.plan_unit = booth.name
        item.plan_person = rng.choice(["赵科长", "孙主任", "周经理"])
        item.plan_due = item.current_due = fair.date + timedelta(days=rng.choice([-3, 7, 14, 30]))
    if status in (Status.done, Status.closed_out):
        item.closeout_result = "已按方案办结，企业确认。"
        item.closeout_evidence = "现场核验"
        item.done_at = (created + timedelta(minutes=18)).replace(tzinfo=UTC)
    if status is Status.closed_out:
        item.closed_out_at = (created + timedelta(minutes=20)).replace(tzinfo=UTC)
        item.closed_out_on = fair.date
    if status.has_outcome:
        kind = EventKind.resolved if status is Status.resolved else EventKind.planned
        events.append(RequestEvent(kind=kind, from_status=Status.in_progress,
                                   to_status=Status.resolved if kind is EventKind.resolved else Status.planned,
                                   actor=staff, created_at=created + timedelta(minutes=12),
                                   detail=item.resolution or item.plan_text))
    if status in (Status.done, Status.closed_out):
        events.append(RequestEvent(kind=EventKind.done, from_status=Status.planned, to_status=Status.done,
                                   actor=staff, created_at=created + timedelta(minutes=18),
                                   detail=item.closeout_result))
    if status is Status.closed_out:
        events.append(RequestEvent(kind=EventKind.closed_out, from_status=Status.done, to_status=status,
                                   actor=organiser, created_at=created + timedelta(minutes=20),
                                   detail=item.closeout_result))
    if status is Status.withdrawn:
        events.append(RequestEvent(kind=EventKind.withdrawn, from_status=Status.in_progress, to_status=status,
                                   actor=staff, detail="与B02-001重复", created_at=created + timedelta(minutes=5)))
    item.events.extend(events)
    db.session.add(item)
    return item


def fill_in_slips(fair, rng) -> None:
    """Slips for most requests with an outcome; one bad one, flagged for a follow-up call."""
    done = [r for r in fair_requests(fair) if r.status.has_outcome]
    for n, item in enumerate(done):
        if n % 4 == 3:
            continue  # not every company fills the slip in
        overall = 2 if n == 0 else rng.choice([4, 5, 5])
        ratings = {name: max(1, overall - rng.choice([0, 0, 1])) for name in DIMENSIONS}
        db.session.add(SatisfactionSlip(
            request_id=item.id, channel=rng.choice(list(SlipChannel)), confirmed=n != 0, overall=overall,
            needs_followup=overall <= FOLLOW_UP_AT or n == 0, comment="等候时间较长" if n == 0 else None, **ratings))
        item.events.append(RequestEvent(kind=EventKind.slip, detail="phone"))


def fair_requests(fair):
    return db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=fair.id).order_by(ServiceRequest.id)).all()
