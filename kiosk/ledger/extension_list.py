"""The extensions waiting for an organiser's decision (延期审批), and those decided lately: the
organisers decide from this list (each on its item's page), a department follows its own requests
there. Few rows (one request per item at most waits), read with what each line shows."""
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.fairs.models import Booth
from kiosk.ledger.models import Extension, ExtensionStatus, pending_extension_sql
from kiosk.service_requests.models import ServiceRequest

#: the decisions listed below the requests waiting: those of the last this many days
DECIDED_WITHIN_DAYS = 30
#: at most this many of them
DECIDED_SHOWN = 50


def _read(condition, department_id: int | None):
    statement = (sa.select(Extension).join(ServiceRequest, Extension.request_id == ServiceRequest.id)
                 .where(condition)
                 .options(so.joinedload(Extension.request).joinedload(ServiceRequest.fair),
                          so.joinedload(Extension.request).joinedload(ServiceRequest.booth).joinedload(Booth.department),
                          # each line says which extension of its item it would be (the 2nd flagged)
                          so.joinedload(Extension.request).selectinload(ServiceRequest.extension_requests),
                          so.joinedload(Extension.by), so.joinedload(Extension.decided_by)))
    if department_id is not None:
        statement = statement.join(Booth, ServiceRequest.booth_id == Booth.id).where(
            Booth.department_id == department_id)
    return statement


def waiting(department_id: int | None = None) -> list[Extension]:
    """The requests waiting, the longest-waiting first (of one department, or every one)."""
    return list(db.session.scalars(_read(pending_extension_sql(), department_id)
                                   .order_by(Extension.at, Extension.id)).unique())


def decided_lately(department_id: int | None = None, now: datetime | None = None) -> list[Extension]:
    """Requests approved or refused in the last DECIDED_WITHIN_DAYS days, the latest first; an
    organiser's own extensions (decided as they were made) are not requests, and are left out."""
    since = (now or now_aware()) - timedelta(days=DECIDED_WITHIN_DAYS)
    condition = sa.and_(Extension.status.in_([ExtensionStatus.approved, ExtensionStatus.refused]),
                        Extension.decided_at >= since, Extension.decided_at > Extension.at)
    return list(db.session.scalars(_read(condition, department_id)
                                   .order_by(Extension.decided_at.desc(), Extension.id.desc())
                                   .limit(DECIDED_SHOWN)).unique())


def waiting_count(department_id: int | None = None) -> int:
    """How many wait: on the index of the requests waiting (uq_extension_pending) alone for the
    organisers; for a department, joined to its booths."""
    statement = sa.select(sa.func.count()).select_from(Extension).where(pending_extension_sql())
    if department_id is not None:
        statement = (statement.join(ServiceRequest, Extension.request_id == ServiceRequest.id)
                     .join(Booth, ServiceRequest.booth_id == Booth.id).where(Booth.department_id == department_id))
    return db.session.execute(statement).scalar_one()
