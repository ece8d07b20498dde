"""The limit on floods of requests from one phone.

Counted in the database, so that several app servers count together; and per phone, never per IP
address: a whole venue may reach the kiosk through one address. Nothing is written here: the count
is of the requests the phone has filed.
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import session

from kiosk.extensions import db
from kiosk.service_requests.models import ServiceRequest
from kiosk.timeutil import utcnow

SUBMIT_WINDOW = timedelta(minutes=10)
#: requests one phone may file within the window; a company with many needs files a handful
SUBMITS_PER_DEVICE = 30


def device_id() -> str:
    """This phone's random id for the submission limit, kept in its signed session cookie."""
    if "device" not in session:
        session["device"] = secrets.token_hex(8)
    return session["device"]


def too_many_submissions(device: str) -> bool:
    since = utcnow() - SUBMIT_WINDOW
    filed = db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)).where(
        ServiceRequest.device == device, ServiceRequest.created_at >= since))
    return filed >= SUBMITS_PER_DEVICE
