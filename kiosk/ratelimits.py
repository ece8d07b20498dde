"""Limits on password guessing and on floods of requests from one phone.

Counted in the database, so that several app servers count together; and per account or per phone,
never per IP address: a whole venue may reach the kiosk through one address.
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import session

from kiosk.auth.models import LoginAttempt
from kiosk.extensions import db
from kiosk.service_requests.models import ServiceRequest
from kiosk.timeutil import utcnow

LOGIN_WINDOW = timedelta(minutes=15)
#: failed sign-ins to one account within the window before it is locked for the rest of it
LOGIN_FAILURES = 10
SUBMIT_WINDOW = timedelta(minutes=10)
#: requests one phone may file within the window; a company with many needs files a handful
SUBMITS_PER_DEVICE = 30


def login_locked(username: str, device: str) -> bool:
    """Whether this browser may not try a password for this account now.

    Booth usernames are easy to guess (b07), so anyone in the hall could lock a booth out by
    guessing at its account. So a browser that has signed in to the account before (the booth's own
    tablet) counts only its own failures, and every other browser shares the count of the others.
    """
    since = utcnow() - LOGIN_WINDOW
    signed_in_from = (sa.select(LoginAttempt.device).where(
        LoginAttempt.username == username, LoginAttempt.succeeded, LoginAttempt.device.is_not(None)))
    failures = (sa.select(sa.func.count(LoginAttempt.id))
                .where(LoginAttempt.username == username, LoginAttempt.at >= since, sa.not_(LoginAttempt.succeeded)))
    if device in db.session.scalars(signed_in_from):
        failures = failures.where(LoginAttempt.device == device)
    else:
        failures = failures.where(LoginAttempt.device.not_in(signed_in_from))
    return db.session.scalar(failures) >= LOGIN_FAILURES


def record_login(username: str, succeeded: bool, device: str) -> None:
    db.session.add(LoginAttempt(username=username[:64], succeeded=succeeded, device=device))
    db.session.commit()


def device_id() -> str:
    """This browser's random id, kept in its signed session cookie."""
    if "device" not in session:
        session["device"] = secrets.token_hex(8)
    return session["device"]


def too_many_submissions(device: str) -> bool:
    since = utcnow() - SUBMIT_WINDOW
    filed = db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)).where(
        ServiceRequest.device == device, ServiceRequest.created_at >= since))
    return filed >= SUBMITS_PER_DEVICE
