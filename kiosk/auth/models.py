"""People who sign in: organisers, booth staff who belong to one booth at one fair, and department
staff who work on their department's ledger items from every fair."""
import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Department, enum_column


class Role(enum.Enum):
    organiser = "organiser"
    #: a booth's account: one booth at one fair
    staff = "staff"
    #: a department's account: its ledger items from every fair, for as long as the department lasts
    department = "department"


class User(UserMixin, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    #: shown on the trail: 张三 (B07)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    role: so.Mapped[Role] = enum_column(Role)
    #: staff belong to one booth at one fair; organisers to none
    booth_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    #: department staff belong to one department, across fairs; everyone else to none
    department_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("department.id"), index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    #: moved by end_sessions; a session signed in under another epoch no longer stands (a cookie is
    #: signed, not stored: this is how the server takes back one it handed out)
    session_epoch: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    booth: so.Mapped[Booth | None] = so.relationship()
    department: so.Mapped[Department | None] = so.relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # The id with a piece of the password hash: a new password (a reset after a lost tablet)
        # signs out every session that was signed in with the old one; and with the session epoch,
        # which logout moves (a cookie copied before it must not work for the rest of the day).
        return f"{self.id}.{self.password_hash[-12:]}.{self.session_epoch}"

    def end_sessions(self) -> None:
        """Every session of this account, on every browser, stops standing (logout, a reset, switched
        off). Other accounts' sessions are untouched."""
        self.session_epoch = (self.session_epoch or 0) + 1

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.organiser

    @property
    def is_department_staff(self) -> bool:
        """Works on one department's ledger items, from every fair (not on any booth's queue)."""
        return self.role is Role.department

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self):
        return f"<User {self.id} {self.username} {self.role.value}>"


class LoginAttempt(db.Model):
    """One sign-in attempt, kept to slow down password guessing per account (across app servers)."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: as typed, normalised to lower case: guesses at an account that does not exist count too
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    succeeded: so.Mapped[bool]
    #: the browser it came from (signin_limits.browser_id): a tablet that has signed in to the account
    #: is counted apart from everyone else, so that guesses elsewhere cannot lock it out
    device: so.Mapped[str | None] = so.mapped_column(sa.String(32))

    def __repr__(self):
        return f"<LoginAttempt {self.username} {'ok' if self.succeeded else 'failed'}>"


def session_parts(session_id: str) -> tuple[int | None, str, str]:
    """The user id, password mark and epoch a session names (User.get_id). A session signed in
    before epochs existed names none: it is epoch 0, so that an upgrade signs no tablet out."""
    user_id, _, rest = (session_id or "").partition(".")
    password_mark, _, epoch = rest.partition(".")
    return (int(user_id) if user_id.isdigit() else None), password_mark, epoch or "0"


def session_holds(session_id: str, account) -> bool:
    """Whether a session (User.get_id) still stands for the account it names (a User, or the poll's
    Account row): not after a new password, nor a logout anywhere, nor once the account is switched
    off. The one test, for load_user and the queue poll."""
    _, password_mark, epoch = session_parts(session_id)
    return (bool(password_mark) and account.active and account.password_hash.endswith(password_mark)
            and epoch == str(account.session_epoch))


def why_session_ended(session_id: str) -> str | None:
    """Why a session that was signed in no longer stands, for the sign-in page to say: "reset" (a new
    password was given to a booth's account since), "changed" (an organiser's password was changed),
    "off" (the account was switched off), "signed_out" (the account signed out, here or on another
    browser), or None (it stands, or the session never named anyone): a tablet sent back to the
    sign-in page is told, not left guessing."""
    user_id, password_mark, epoch = session_parts(session_id)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not password_mark:
        return None
    if not user.active:
        return "off"
    if not user.password_hash.endswith(password_mark):
        return "reset" if user.booth_id or user.department_id else "changed"
    if epoch != str(user.session_epoch):
        return "signed_out"
    return None
