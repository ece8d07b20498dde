"""Staff accounts for a fair's booths, with first passwords printed once on a sign-in sheet, and the
locks that guessing at them causes.

Nothing here commits: the caller's unit of work does (the organiser's view, for now).
"""
import secrets

import sqlalchemy as sa

from kiosk.auth.models import LoginAttempt, Role, User
from kiosk.auth.signin_limits import LOGIN_FAILURES, LOGIN_WINDOW
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.timeutil import utcnow

#: no 0/O, 1/l/I: the password is read off paper and typed on a tablet
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 8


def username_for(booth: Booth) -> str:
    return f"f{booth.fair_id}-{booth.code.lower()}"


def issue_accounts(fair: Fair, reset: bool = False) -> list[dict]:
    """An account for every booth that has none (every booth, with reset: new passwords for all).

    Returns the sign-in sheet's rows; the passwords exist only there, hashed in the database.
    """
    existing = {u.booth_id: u for u in db.session.scalars(
        sa.select(User).join(Booth, User.booth_id == Booth.id).where(Booth.fair_id == fair.id))}
    sheet = []
    for booth in fair.booths:
        user = existing.get(booth.id)
        if user is not None and not reset:
            continue
        if user is None:
            user = User(username=username_for(booth), display_name=f"{booth.name}工作人员", role=Role.staff,
                        booth=booth)
            db.session.add(user)
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        user.set_password(password)  # also signs out every tablet signed in with the old one
        # ...and lifts a lock someone caused by guessing at the account.
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == user.username))
        sheet.append({"code": booth.code, "booth": booth.name, "username": user.username, "password": password})
    db.session.flush()
    return sheet


def locked_booths(fair: Fair) -> set[int]:
    """The booths whose account has had too many failed sign-ins lately, so that the organiser can
    see it and lift the lock. (New browsers are locked out then; a tablet that signed in before
    counts only its own failures: signin_limits.password_attempt.)"""
    since = utcnow() - LOGIN_WINDOW
    return set(db.session.scalars(
        sa.select(User.booth_id).join(LoginAttempt, LoginAttempt.username == User.username)
        .join(Booth, User.booth_id == Booth.id)
        .where(Booth.fair_id == fair.id, LoginAttempt.at >= since, sa.not_(LoginAttempt.succeeded))
        .group_by(User.booth_id).having(sa.func.count(LoginAttempt.id) >= LOGIN_FAILURES)))


def unlock(user: User) -> None:
    """Forget the account's failed sign-ins: a booth locked out is let in again, without new passwords.
    Its successful ones stay, so the browsers that signed in before keep counting apart."""
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.username == user.username, sa.not_(LoginAttempt.succeeded)))
