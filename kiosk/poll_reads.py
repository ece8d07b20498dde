"""The booth queue poll's statements, run straight on the database driver, and the rows they give,
named.

The booth tablet's poll is the kiosk's most frequent request (every few seconds from every tablet,
all day), so it reads through kiosk.core.driver rather than the ORM (bench/queue_poll.py; figures in
bench/RESULTS.md). This module and kiosk.auth.reads (the signed-in account) are that path's fence:
only they import kiosk.core.driver (tests/test_fence.py fails otherwise), and what leaves them are named rows
whose values are already what the ORM would give (enums, booleans, datetimes), converted as
each shape declares below, once. Whatever reads the database elsewhere uses SQLAlchemy as usual.
"""
from collections import namedtuple
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from kiosk.core.driver import DriverStatement, Reads, as_datetime, driver_reads, shape
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.figures.satisfaction import Satisfaction, satisfaction_from_row, satisfaction_statement
from kiosk.figures.waiting_day import arrived_sql, not_yet_called_sql
from kiosk.service_requests.models import Category, EventKind, RequestEvent, ServiceRequest, Status, in_queue_of
from kiosk.versions import LEDGER_VERSIONS

__all__ = [
    "NEED_PREVIEW",
    "FiguresRow",
    "QueueRow",
    "QueueState",
    "TransferRow",
    "booth_figures",
    "ledger_versions",
    "queue_rows",
    "queue_state",
    "reading",
    "transferred_out",
]

#: a cursor on a pooled connection, for a few of the reads below in a row
reading = driver_reads

#: how much of a need the queue shows (one character more is read, to know whether to cut it)
NEED_PREVIEW = 60


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
_queue_state = shape(QueueState, fair_closed=bool)  # (SQLite's driver gives 0/1)


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
    #: "handed_over" or "ended" for a request its fair's close handed over (while planned) or ended,
    #: shown in place of the status (ServiceRequest.after_close_state); else None
    after_close: str | None
    #: a waiting request's calling mark (叫号, kiosk.service_requests.calls), shown beside its status:
    #: "called", "skipped" (skipped once and not called since) or "no_show"; else None
    line_mark: str | None
    #: when a request still waiting to be called arrived in the booth's line (filed, or transferred
    #: there: kiosk.figures.waiting_day), which its row counts its wait from; else None
    waiting_since: datetime | None


#: waiting first (oldest first: they have waited longest), then in progress, then the rest, newest first
_ORDER = (sa.case((ServiceRequest.status == Status.waiting, 0), (ServiceRequest.status == Status.in_progress, 1),
                  (ServiceRequest.status == Status.withdrawn, 3), else_=2),
          sa.case((ServiceRequest.status == Status.waiting, ServiceRequest.id),
                  (ServiceRequest.status == Status.in_progress, ServiceRequest.id), else_=-ServiceRequest.id))
#: ServiceRequest.after_close_state in SQL
_AFTER_CLOSE = sa.case((ServiceRequest.end_reason.is_not(None), "ended"),
                       (sa.and_(ServiceRequest.handed_over_on.is_not(None), ServiceRequest.status == Status.planned),
                        "handed_over"))
#: QueueRow.line_mark in SQL
_LINE_MARK = sa.case((ServiceRequest.status != Status.waiting, sa.null()),
                     (ServiceRequest.no_show_at.is_not(None), "no_show"),
                     (ServiceRequest.called_at.is_not(None), "called"),
                     (ServiceRequest.skipped_at.is_not(None), "skipped"))
#: QueueRow.waiting_since in SQL (the transfer's time is read only for the rows still waiting)
_WAITING_SINCE = sa.case((not_yet_called_sql(), arrived_sql()))
_ROWS = DriverStatement(
    sa.select(ServiceRequest.id, ServiceRequest.ticket_no, ServiceRequest.created_at, ServiceRequest.status,
              ServiceRequest.category, ServiceRequest.booth_id, ServiceRequest.company_name,
              sa.func.substr(ServiceRequest.need, 1, NEED_PREVIEW + 1),
              _AFTER_CLOSE, _LINE_MARK, _WAITING_SINCE)
    .where(in_queue_of(sa.bindparam("booth_id"))).order_by(*_ORDER))
_queue_row = shape(QueueRow, created_at=as_datetime, status=Status, category=Category, waiting_since=as_datetime)


def queue_rows(read: Reads, booth_id: int) -> list[QueueRow]:
    """Every request in the booth's queue (a booth has tens, not thousands), in the queue's order."""
    return [_queue_row(row) for row in read.all(_ROWS, booth_id=booth_id)]


_BOOTH_FIGURES = satisfaction_statement(frozenset({"booth_id"}), per_booth=False)
#: named as kiosk.figures reads them: with_outcome, slips, satisfied, flags_open and each average
FiguresRow = namedtuple("FiguresRow", _BOOTH_FIGURES.selected_columns.keys())
_BOOTH_FIGURES = DriverStatement(_BOOTH_FIGURES)
_figures_row = shape(FiguresRow)


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
    #: as QueueRow.after_close: shown in place of the status
    after_close: str | None


_TRANSFERRED = DriverStatement(
    sa.select(ServiceRequest.id, ServiceRequest.ticket_no, RequestEvent.created_at, ServiceRequest.company_name,
              Booth.code, Department.name, RequestEvent.detail, ServiceRequest.status, _AFTER_CLOSE)
    .select_from(RequestEvent)
    .join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
    .join(Booth, Booth.id == RequestEvent.to_booth_id).join(Department, Department.id == Booth.department_id)
    .where(RequestEvent.from_booth_id == sa.bindparam("booth_id"), RequestEvent.kind == EventKind.transferred)
    .order_by(RequestEvent.id.desc()))
_transfer_row = shape(TransferRow, at=as_datetime, status=Status)


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
