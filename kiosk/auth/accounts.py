"""Accounts: staff accounts for a fair's booths, with passwords printed on a sign-in sheet or one
booth's slip; department accounts for the demand ledger, which outlast fairs (a slip each, managed
like a booth's); organisers, added, switched off and on, and their own passwords; and the locks that
guessing at any of them causes.

Nothing here commits: the caller's unit of work does (the organiser's view, or a CLI command).
"""
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.auth.models import LoginAttempt, Role, User
from kiosk.auth.signin_limits import LOGIN_FAILURES, LOGIN_WINDOW
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Department, Fair

#: no 0/O, 1/l/I: the password is read off paper and typed on a tablet
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 8
#: an organiser's own password: chosen by a person, so it has to be long rather than random
ORGANISER_PASSWORD_MIN = 10


class AccountRefused(Refused):
    MESSAGES = {
        "password_short": _l("密码至少需要%(n)d个字符。", n=ORGANISER_PASSWORD_MIN),
        "password_mismatch": _l("两次输入的新密码不一致。"),
        "password_wrong": _l("当前密码不正确。"),
        "name_taken": _l("这个账号名已被使用。"),
        "name_bad": _l("账号名只能用字母、数字、点、横线和下划线，最长64个字符。"),
        "not_organiser": _l("没有这个组织方账号。"),
        "self_off": _l("不能停用自己的账号。"),
        "last_organiser": _l("至少要保留一个在用的组织方账号。"),
    }


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


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
        sheet.append(_new_password_for(booth, user))
    db.session.flush()
    return sheet


def reset_booth(booth: Booth) -> dict:
    """A new password for one booth's account (made now if it has none): its tablets are signed
    out and told why; every other booth's stay signed in. Returns the booth's sign-in slip."""
    user = booth_account(booth)
    if user is None:
        user = User(username=username_for(booth), display_name=f"{booth.name}工作人员", role=Role.staff, booth=booth)
        db.session.add(user)
    row = _new_password_for(booth, user)
    db.session.flush()
    return row


def _new_password_for(booth: Booth, user: User) -> dict:
    password = new_password()
    user.set_password(password)  # also signs out every tablet signed in with the old one
    user.end_sessions()  # (said outright, not left to the hash: the rule should not hang on a salt)
    # ...and lifts a lock someone caused by guessing at the account; the tablets it knew must sign in
    # again, so they are forgotten too (the accounts page counts them afresh).
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == user.username))
    return {"code": booth.code, "booth": booth.name, "username": user.username, "password": password}


def booth_account(booth: Booth) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(booth_id=booth.id).order_by(User.id))


# --- department accounts (the demand ledger) -----------------------------------------------------

def department_username(department: Department) -> str:
    """d<id>: a department's name is long and Chinese; its id lasts as long as it does."""
    return f"d{department.id}"


def department_account(department: Department) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(department_id=department.id, role=Role.department)
                             .order_by(User.id))


def reset_department(department: Department) -> dict:
    """A department's ledger account with a new password (made now if it has none): its sessions
    end, everyone else's stay. Returns the slip to print; the password exists only there."""
    user = department_account(department)
    if user is None:
        username = department_username(department)
        while db.session.scalar(sa.select(User.id).filter_by(username=username)) is not None:
            username += "x"  # an organiser took the name first
        user = User(username=username, display_name=f"{department.name}台账专员",
                    role=Role.department, department=department)
        db.session.add(user)
    password = new_password()
    user.set_password(password)
    user.end_sessions()
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == user.username))
    db.session.flush()
    return {"code": user.username, "booth": department.name, "username": user.username, "password": password}


def department_accounts() -> "list[tuple[Department, list[AccountRow]]]":
    """Every department (of every fair, past and future) with its ledger account(s), by name."""
    departments = db.session.scalars(sa.select(Department).order_by(Department.kind, Department.name)).all()
    users = db.session.scalars(sa.select(User).where(User.role == Role.department).order_by(User.id)).all()
    rows = account_rows(list(users))
    return [(d, [r for r in rows if r.user.department_id == d.id]) for d in departments]


@dataclass(frozen=True)
class AccountRow:
    """One account on an accounts page: who, and how it stands."""
    user: User
    #: browsers that have signed in since the account's last new password (signin_limits keeps them)
    tablets: int
    locked: bool


def account_rows(users: list[User]) -> list[AccountRow]:
    names = [u.username for u in users]
    tablets = dict(db.session.execute(
        sa.select(LoginAttempt.username, sa.func.count(sa.distinct(LoginAttempt.device)))
        .where(LoginAttempt.username.in_(names), LoginAttempt.succeeded, LoginAttempt.device.is_not(None))
        .group_by(LoginAttempt.username)).all())
    locked = locked_usernames(names)
    return [AccountRow(u, tablets.get(u.username, 0), u.username in locked) for u in users]


def fair_accounts(fair: Fair) -> list[tuple[Booth, list[AccountRow]]]:
    """Every booth of the fair with its account(s), in the fair's booth order."""
    users = db.session.scalars(sa.select(User).join(Booth, User.booth_id == Booth.id)
                               .where(Booth.fair_id == fair.id).order_by(User.id)).all()
    rows = account_rows(list(users))
    return [(booth, [r for r in rows if r.user.booth_id == booth.id]) for booth in fair.booths]


def locked_usernames(usernames: list[str]) -> set[str]:
    """The accounts locked to new browsers: as many failed sign-ins within the window as the limit."""
    since = utcnow() - LOGIN_WINDOW
    return set(db.session.scalars(
        sa.select(LoginAttempt.username)
        .where(LoginAttempt.username.in_(usernames), LoginAttempt.at >= since, sa.not_(LoginAttempt.succeeded))
        .group_by(LoginAttempt.username).having(sa.func.count(LoginAttempt.id) >= LOGIN_FAILURES)))


def switch(user: User, active: bool, by: User | None = None) -> None:
    """Switch an account off (its sessions end on the server: switched back on, it signs in afresh)
    or back on."""
    if not active and user.is_organiser:
        if by is not None and by.id == user.id:
            raise AccountRefused("self_off")
        if not other_active_organisers(user):
            raise AccountRefused("last_organiser")
    if not active:
        user.end_sessions()
    user.active = active
    db.session.flush()


def other_active_organisers(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.role == Role.organiser, User.active, User.id != user.id))


USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def create_organiser(username: str, password: str, display_name: str | None = None) -> User:
    """An organiser account: the first one on a new install comes from the command line."""
    username = (username or "").strip().lower()
    if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
        raise AccountRefused("name_bad")
    if db.session.scalar(sa.select(User.id).filter_by(username=username)) is not None:
        raise AccountRefused("name_taken")
    _check_new_password(password)
    user = User(username=username, display_name=(display_name or "").strip() or username, role=Role.organiser)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str, again: str) -> None:
    """An organiser's own new password. Its other sessions (another laptop) end; the caller signs
    this one in again with the new mark."""
    if not user.check_password(current or ""):
        raise AccountRefused("password_wrong")
    _check_new_password(new)
    if new != again:
        raise AccountRefused("password_mismatch")
    user.set_password(new)
    user.end_sessions()
    db.session.flush()


def _check_new_password(password: str) -> None:
    if len((password or "").strip()) < ORGANISER_PASSWORD_MIN:
        raise AccountRefused("password_short")


def organiser_named(username: str) -> User:
    user = db.session.scalar(sa.select(User).filter_by(username=(username or "").strip().lower(),
                                                       role=Role.organiser))
    if user is None:
        raise AccountRefused("not_organiser")
    return user


def organisers() -> list[User]:
    return list(db.session.scalars(sa.select(User).filter_by(role=Role.organiser).order_by(User.id)))


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


def unlock(user: User) -> None:  # (the CLI's `users unlock` and both accounts pages)
    """Forget the account's failed sign-ins: a booth locked out is let in again, without new passwords.
    Its successful ones stay, so the browsers that signed in before keep counting apart."""
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.username == user.username, sa.not_(LoginAttempt.succeeded)))
