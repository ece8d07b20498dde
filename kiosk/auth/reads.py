"""The signed-in account, read straight on the database driver (kiosk.core.driver): every signed-in
request reads it, and the booth queue's poll (kiosk.poll_reads) checks the session with it. Part of
the driver's fence (tests/test_fence.py)."""
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.auth.models import Role, User
from kiosk.core.driver import DriverStatement, Reads, as_datetime, by_value, driver_reads, shape

#: a cursor on a pooled connection, for the reads below
reading = driver_reads


class Account(NamedTuple):
    """What the poll needs of the signed-in account: enough to check the session and the booth."""
    password_hash: str
    active: bool
    booth_id: int | None
    role: Role
    session_epoch: int


_ACCOUNT = DriverStatement(sa.select(User.password_hash, User.active, User.booth_id, User.role, User.session_epoch)
                           .where(User.id == sa.bindparam("user_id")))
_account = shape(Account, active=bool, role=Role)  # SQLite's driver gives 0/1 and every driver the string


def account(read: Reads, user_id: int) -> Account | None:
    row = read.one(_ACCOUNT, user_id=user_id)
    return None if row is None else _account(row)


_USER = DriverStatement(sa.select(*User.__table__.columns).where(User.id == sa.bindparam("user_id")))
_USER_NAMES = [column.key for column in User.__table__.columns]
_user_values = {"role": by_value(Role), "active": bool, "created_at": as_datetime}


def signed_in_user(read: Reads, user_id: int) -> User | None:
    """The account as the ORM would load it, from one read: every signed-in request loads it, and
    on PostgreSQL SQLAlchemy's load was a third of a signed-in 304's own time (bench/RESULTS.md).
    Detached, with every column loaded and nothing to write: the caller attaches it
    to the request's session."""
    row = read.one(_USER, user_id=user_id)
    if row is None:
        return None
    values = {name: (_user_values[name](value) if name in _user_values and value is not None else value)
              for name, value in zip(_USER_NAMES, row, strict=True)}
    user = User(**values)
    so.make_transient_to_detached(user)
    return user
