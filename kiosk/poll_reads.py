"""Every statement run straight on the database driver, and the rows it gives, named.

The booth tablet's poll is the kiosk's most frequent request (every few seconds from every tablet,
all day), so it reads through kiosk.core.driver rather than the ORM (bench/queue_poll.py: 0.70-0.74x and
0.30-0.33x a hello-world for the unchanged and the changed poll). This module is that path's fence: only
it imports kiosk.core.driver (tests/test_fence.py fails otherwise), and what leaves it are named rows
whose values are already what the ORM would give (enums, booleans, datetimes), converted as
each shape declares below, once. Whatever reads the database elsewhere uses SQLAlchemy as usual.
"""
from collections import namedtuple
from collections.abc import Callable
from datetime import datetime
from enum import EnumMeta
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.auth.models import Role, User
from kiosk.core.driver import DriverStatement, Reads, as_datetime, driver_reads
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.figures.satisfaction import Satisfaction, satisfaction_from_row, satisfaction_statement
from kiosk.service_requests.models import Category, EventKind, RequestEvent, ServiceRequest, Status, in_queue_of
from kiosk.versions import LEDGER_VERSIONS

__all__ = [
    "NEED_PREVIEW",
    "Account",
    "FiguresRow",
    "QueueRow",
    "QueueState",
    "TransferRow",
    "account",
    "booth_figures",
    "ledger_versions",
    "queue_rows",
    "queue_state",
    "reading",
    "signed_in_user",
    "transferred_out",
]

#: a cursor on a pooled connection, for a few of the reads below in a row
reading = driver_reads

#: how much of a need the queue shows (one character more is read, to know whether to cut it)
NEED_PREVIEW = 60


def _shape(row_class, **conversions: Callable) -> Callable[[tuple], NamedTuple]:
    """Rows of row_class from a driver's tuples, each named column converted as given (an enum by
    its stored value)."""
    at = [(row_class._fields.index(name), _by_value(convert) if isinstance(convert, EnumMeta) else convert)
          for name, convert in conversions.items()]

    def make(raw: tuple):
        values = list(raw)
        for index, convert in at:
            if values[index] is not None:
                values[index] = convert(values[index])
        return _new_tuple(row_class, values)  # (as row_class._make does, without its Python call)
    return make


_new_tuple = tuple.__new__


def _by_value(enum_class: EnumMeta) -> Callable:
    """An enum's member from its stored value, by a plain lookup (calling the class costs more)."""
    return {member.value: member for member in enum_class}.__getitem__


class Account(NamedTuple):
    """What the poll needs of the signed-in account: enough to check the session and the booth."""
    password_hash: str
    active: bool
    booth_id: int | None
    role: Role
    session_epoch: int


_ACCOUNT = DriverStatement(sa.select(User.password_hash, User.active, User.booth_id, User.role, User.session_epoch)
                           .where(User.id == sa.bindparam("user_id")))
_account = _shape(Account, active=bool, role=Role)  # SQLite's driver gives 0/1 and every driver the string


def account(read: Reads, user_id: int) -> Account | None:
    row = read.one(_ACCOUNT, user_id=user_id)
    return None if row is None else _account(row)


_USER = DriverStatement(sa.select(*User.__table__.columns).where(User.id == sa.bindparam("user_id")))
_USER_NAMES = [column.key for column in User.__table__.columns]
_user_values = {"role": _by_value(Role), "active": bool, "created_at": as_datetime}


def signed_in_user(read: Reads, user_id: int) -> User | None:
    """The account as the ORM would load it, from one read: every signed-in request loads it, and
    on PostgreSQL SQLAlchemy's load was a third of a signed-in 304's own time (0.87 of 2.4 ms,
    in-process). Detached, with every column loaded and nothing to write: the caller attaches it
    to the request's session."""
    row = read.one(_USER, user_id=user_id)
    if row is None:
        return None
    values = {name: (_user_values[name](value) if name in _user_values and value is not None else value)
              for name, value in zip(_USER_NAMES, row, strict=True)}
    user = User(**values)
    so.make_transient_to_detached(user)
    return user


class QueueState(NamedTuple):
    """What a booth's queue poll reads first, in one read: what its ETag is made of."""
    #: moved by any change to the queue's requests, their slips and calls, and the booth (kiosk.changes)
    version: int
    #: its fair's: moved by any change to the fair's booths, their codes and departments' names (the
    #: 已转出 tab names the booths it transferred to)
    setup_version: int
    #: the queue says so (kiosk.changes moves the queues of a fair that opens or closes)
    fair_closed: bool


_STATE = DriverStatement(sa.select(Booth.queue_version, Fair.setup_version, Fair.status == FairStatus.closed)
                         .join(Fair, Fair.id == Booth.fair_id).where(Booth.id == sa.bindparam("booth_id")))
_queue_state = _shape(QueueState, fair_closed=bool)  # (SQLite's driver gives 0/1)


def queue_state(read: Reads, booth_id: int) -> QueueState | None:
    """The booth's queue's versions and its fair's closing; None for a booth that does not exist."""
    row = read.one(_STATE, booth_id=booth_id)
    return None if row is None else _queue_state(row)


class QueueRow(NamedTuple):
    """A request as a booth's queue lists it."""
    id: int
    ticket_no: str
    created_at: datetime
    status: Status
    category: Category
    lead_booth_id: int
    company: str
    #: the first NEED_PREVIEW + 1 characters
    need: str


#: waiting first (oldest first: they have waited longest), then in progress, then the rest, newest first
_ORDER = (sa.case((ServiceRequest.status == Status.waiting, 0), (ServiceRequest.status == Status.in_progress, 1),
                  (ServiceRequest.status == Status.withdrawn, 3), else_=2),
          sa.case((ServiceRequest.status == Status.waiting, ServiceRequest.id),
                  (ServiceRequest.status == Status.in_progress, ServiceRequest.id), else_=-ServiceRequest.id))
_ROWS = DriverStatement(
    sa.select(ServiceRequest.id, ServiceRequest.ticket_no, ServiceRequest.created_at, ServiceRequest.status,
              ServiceRequest.category, ServiceRequest.booth_id, ServiceRequest.company_name,
              sa.func.substr(ServiceRequest.need, 1, NEED_PREVIEW + 1))
    .where(in_queue_of(sa.bindparam("booth_id"))).order_by(*_ORDER))
_queue_row = _shape(QueueRow, created_at=as_datetime, status=Status, category=Category)


def queue_rows(read: Reads, booth_id: int) -> list[QueueRow]:
    """Every request in the booth's queue (a booth has tens, not thousands), in the queue's order."""
    return [_queue_row(row) for row in read.all(_ROWS, booth_id=booth_id)]


_BOOTH_FIGURES = satisfaction_statement(frozenset({"booth_id"}), per_booth=False)
#: named as kiosk.figures reads them: with_outcome, slips, satisfied, flags_open and each average
FiguresRow = namedtuple("FiguresRow", _BOOTH_FIGURES.selected_columns.keys())
_BOOTH_FIGURES = DriverStatement(_BOOTH_FIGURES)
_figures_row = _shape(FiguresRow)


def booth_figures(read: Reads, booth_id: int) -> Satisfaction:
    """The booth's satisfaction figures, as kiosk.figures computes them for everything else."""
    return satisfaction_from_row(_figures_row(read.one(_BOOTH_FIGURES, booth_id=booth_id)))


class TransferRow(NamedTuple):
    """A request this booth transferred to another (the 已转出 tab): where it went and why."""
    id: int
    ticket_no: str
    #: when it was transferred
    at: datetime
    company: str
    to_code: str
    to_name: str
    reason: str | None
    #: where it stands now (kiosk.changes moves this booth's queue when it changes)
    status: Status


_TRANSFERRED = DriverStatement(
    sa.select(ServiceRequest.id, ServiceRequest.ticket_no, RequestEvent.created_at, ServiceRequest.company_name,
              Booth.code, Department.name, RequestEvent.detail, ServiceRequest.status)
    .select_from(RequestEvent)
    .join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
    .join(Booth, Booth.id == RequestEvent.to_booth_id).join(Department, Department.id == Booth.department_id)
    .where(RequestEvent.from_booth_id == sa.bindparam("booth_id"), RequestEvent.kind == EventKind.transferred)
    .order_by(RequestEvent.id.desc()))
_transfer_row = _shape(TransferRow, at=as_datetime, status=Status)


def transferred_out(read: Reads, booth_id: int, in_queue: set[int]) -> list[TransferRow]:
    """The requests the booth transferred away and does not have back (in_queue: the ids its queue
    shows), each once, at its latest transfer from here; the latest first."""
    rows, seen = [], set(in_queue)
    for raw in read.all(_TRANSFERRED, booth_id=booth_id):
        if raw[0] not in seen:
            seen.add(raw[0])
            rows.append(_transfer_row(raw))
    return rows


_LEDGER_VERSIONS = {one: DriverStatement(statement) for one, statement in LEDGER_VERSIONS.items()}


def ledger_versions(read: Reads, department_id: int | None) -> tuple[int, tuple[int, ...]]:
    """kiosk.versions.ledger_and_setup_versions, read here: the ledger's list asks it at every view
    and every poll (on PostgreSQL, SQLAlchemy's execution took three times the read)."""
    if department_id is None:
        row = read.one(_LEDGER_VERSIONS[False])
    else:
        row = read.one(_LEDGER_VERSIONS[True], department_id=department_id)
    return int(row[0]), tuple(int(value) for value in row[1:])
