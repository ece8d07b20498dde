"""Limits on password guessing: failed attempts counted per account, a lock for the rest of the window,
and the browser's own id that lets a booth's tablet count apart from strangers.

Counted in the database, so that several app servers count together; and per account, never per IP
address: a whole venue may reach the kiosk through one address. Used by sign-in and by the password
that lets a tablet leave slip mode.
"""
import functools
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.auth.models import LoginAttempt
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow

LOGIN_WINDOW = timedelta(minutes=15)
#: failed sign-ins to one account within the window before it is locked for the rest of it
LOGIN_FAILURES = 10
#: after LOGIN_FAILURES wrong passwords to leave slip mode, the tablet waits this long between tries
#: (not the whole window): the company holding it can guess only once a minute, and the staff who
#: come back with the right password are not kept out of their own tablet for 15 minutes.
SLIP_EXIT_COOLDOWN = timedelta(seconds=60)
BROWSER_COOKIE = "kiosk_browser"
BROWSER_ID = re.compile(r"[0-9a-f]{32}")
#: as long as browsers keep a cookie (400 days)
BROWSER_COOKIE_AGE = 400 * 24 * 3600


def password_attempt(username: str, browser: str) -> LoginAttempt | None:
    """Count an attempt at an account's password before the password is checked, so that guesses
    sent together cannot all pass the count; None if the account is locked for this browser.

    Booth usernames are easy to guess, so anyone in the hall could lock a booth out by guessing at
    its account. So a browser that has signed in to the account before (the booth's own tablet)
    counts only its own failures, and every other browser shares the count of the others.
    """
    username = username[:64]
    # Failures older than the window count for nothing any more (successes stay: they say which
    # browsers have signed in to the account).
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.username == username, sa.not_(LoginAttempt.succeeded), LoginAttempt.at < utcnow() - LOGIN_WINDOW))
    attempt = LoginAttempt(username=username, succeeded=False, device=browser)
    db.session.add(attempt)
    _keep_attempts_now()
    if _failures(username, browser) > LOGIN_FAILURES:  # (this attempt is one of them)
        db.session.delete(attempt)  # refused before any password was checked: it does not count
        _keep_attempts_now()
        return None
    return attempt


def slip_exit_attempt(username: str, browser: str) -> LoginAttempt | None:
    """Count a try at the staff password that leaves slip mode; None while the tablet cools down.

    The tablet is the booth's own (it signed in), so only its own failures count. Past
    LOGIN_FAILURES of them it is not locked for the window: it waits SLIP_EXIT_COOLDOWN after the
    last wrong password, then takes one more try, and the right one lets the staff back in.
    """
    username = username[:64]
    attempt = LoginAttempt(username=username, succeeded=False, device=browser)
    db.session.add(attempt)
    _keep_attempts_now()
    count, last = db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.device == browser, LoginAttempt.id != attempt.id,
            sa.not_(LoginAttempt.succeeded), LoginAttempt.at >= utcnow() - LOGIN_WINDOW)).one()
    if count >= LOGIN_FAILURES and last is not None and last > utcnow() - SLIP_EXIT_COOLDOWN:
        db.session.delete(attempt)  # refused before any password was checked: it does not count
        _keep_attempts_now()
        return None
    return attempt


def attempt_succeeded(attempt: LoginAttempt) -> None:
    attempt.succeeded = True
    _keep_attempts_now()


def _keep_attempts_now() -> None:
    """Commit the attempt records at once, not at the end of the request: a failed guess must count
    although its request ends in a refusal (401/429, nothing else saved), and the count must be
    visible to guesses sent at the same time, or they could all pass it together. The one place
    that commits on this module's behalf."""
    db.session.commit()


def _failures(username: str, browser: str) -> int:
    since = utcnow() - LOGIN_WINDOW
    failures = (sa.select(sa.func.count(LoginAttempt.id))
                .where(LoginAttempt.username == username, LoginAttempt.at >= since, sa.not_(LoginAttempt.succeeded)))
    signed_in_from = sa.select(LoginAttempt.device).where(
        LoginAttempt.username == username, LoginAttempt.succeeded, LoginAttempt.device.is_not(None))
    if db.session.scalar(sa.select(signed_in_from.where(LoginAttempt.device == browser).exists())):
        return db.session.scalar(failures.where(LoginAttempt.device == browser))
    return db.session.scalar(failures.where(LoginAttempt.device.not_in(signed_in_from)))


@functools.cache
def _dummy_hash() -> str:
    # Made with the same method and cost as every real password hash, once per process.
    return generate_password_hash(secrets.token_hex(16))


def password_matches(user, password: str) -> bool:
    """Whether the password is this account's, taking as long for an unknown username (a dummy
    hash is checked) or an account switched off as for a real one: the time of the answer must not
    tell which usernames exist (tests/test_signin_timing.py)."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password) and user.active


def browser_id() -> str:
    """This browser's own random id, in a cookie of its own that lasts (the session ends after a fair
    day): the booth's tablet is still the browser that signed in before, the next morning too."""
    known = request.cookies.get(BROWSER_COOKIE, "")
    if BROWSER_ID.fullmatch(known):
        return known
    if "browser_id" not in g:
        g.browser_id = secrets.token_hex(16)

        @after_this_request
        def remember(response):
            response.set_cookie(BROWSER_COOKIE, g.browser_id, max_age=BROWSER_COOKIE_AGE, httponly=True,
                                samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return g.browser_id
