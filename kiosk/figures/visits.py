"""A request's stays in booths' lines, read from its trail: where it waited, from when, when staff
called it and took it up, and how its stay ended. The wait estimate (kiosk.figures.waits) and the day's waiting
figures (kiosk.figures.waiting_day) are both worked out from these, so that both mean the same.

A stay (Visit) begins when the request arrives in a booth's line: filed there, or transferred
there (a transfer arrives as new: nobody there has it yet). Its wait ends at its first call (叫号)
or its take-up (开始办理), whichever came first; it ends with an outcome (现场办结, 拿出方案), a withdrawal,
a transfer out, or the fair's close (handed over or ended). A reopened request (an outcome recorded
by mistake) makes a stay of its own with no arrival, which no figure counts.

The functions over rows are plain (tests/test_waits.py runs them without a database); `trail_rows`
is the one read.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import NamedTuple

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest

#: how a stay ended: with the booth's own outcome (its work, which the booth's pace is timed by)...
OUTCOME = "outcome"
#: ...sent on to another booth (the booth's work too: it heard the request out first)...
TRANSFERRED = "transferred"
#: ...withdrawn (a duplicate, a mistake)...
WITHDRAWN = "withdrawn"
#: ...or still open at the fair's close, handed over or ended by the organiser
CLOSED = "closed"
#: the ends that followed staff's work on the request, and time the booth's pace
WORKED_ENDS = (OUTCOME, TRANSFERRED, WITHDRAWN)

#: the trail's kinds a stay is made of, and what each does to it
_ENDS = {EventKind.resolved: OUTCOME, EventKind.planned: OUTCOME, EventKind.withdrawn: WITHDRAWN,
         EventKind.handed_over: CLOSED, EventKind.ended: CLOSED}
KINDS = (EventKind.taken, EventKind.called, EventKind.called_again, EventKind.no_show, *_ENDS,
         EventKind.transferred, EventKind.reopened)


class TrailRow(NamedTuple):
    """One event of a request's trail, with what the stays need of its request."""
    request_id: int
    #: the request's lead booth now, and when it was filed
    booth_id: int
    filed_at: datetime
    kind: EventKind
    at: datetime
    from_booth_id: int | None
    to_booth_id: int | None


@dataclass
class Visit:
    """A request's stay in one booth's line (times naive UTC, as stored)."""
    request_id: int
    booth_id: int
    #: when it arrived in the line (filed, or transferred here); None for a reopened request
    arrived: datetime | None
    #: when it was first called (叫号), and last called (再次叫号 too)
    first_called: datetime | None = None
    last_called: datetime | None = None
    #: when staff took it up (开始办理: once a stay, as only a waiting request can be taken)
    taken: datetime | None = None
    ended: datetime | None = None
    #: OUTCOME, TRANSFERRED, WITHDRAWN or CLOSED; None while it stays
    end: str | None = None
    #: skipped a second time here (未到场)
    no_show: bool = False

    @property
    def taken_up(self) -> datetime | None:
        """Where its wait ends: the first call or the take-up, whichever came first."""
        return min((t for t in (self.first_called, self.taken) if t is not None), default=None)

    @property
    def working_since(self) -> datetime | None:
        """Where the work the booth's pace is timed by begins: the take-up (开始办理), else, for a
        request given its outcome straight after its call, the last call."""
        return self.taken or self.last_called

    @property
    def wait_minutes(self) -> float | None:
        """Minutes from arrival to the first call or take-up, or None (neither here, or no arrival)."""
        if self.arrived is None or self.taken_up is None:
            return None
        return minutes_between(self.arrived, self.taken_up)

    @property
    def work_minutes(self) -> float | None:
        """Minutes from the take-up to the end, for a stay ended by staff's work; else None."""
        if self.working_since is None or self.end not in WORKED_ENDS:
            return None
        return minutes_between(self.working_since, self.ended)

    @property
    def in_hand(self) -> bool:
        """Taken up here and not ended: someone at the booth is working on it now."""
        return self.working_since is not None and self.end is None


def minutes_between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60)


def visits(rows: Iterable[TrailRow]) -> list[Visit]:
    """Every stay of the requests whose trails these are (rows: each request's events in the
    order they happened, requests one after another, as trail_rows reads them)."""
    stays: list[Visit] = []
    for _request, trail in groupby(rows, key=lambda row: row.request_id):
        trail = list(trail)
        # The first booth: the one its first transfer left, else the one it is at.
        first_move = next((row for row in trail if row.kind is EventKind.transferred), None)
        stay = Visit(trail[0].request_id, first_move.from_booth_id if first_move else trail[0].booth_id,
                     trail[0].filed_at)
        stays.append(stay)
        for row in trail:
            stay = _step(stay, row, stays)
    return stays


def _step(stay: Visit, row: TrailRow, stays: list[Visit]) -> Visit:
    """The stay after one event: the same one, or the new one the event began."""
    if row.kind is EventKind.transferred:
        if stay.end is None:
            stay.ended, stay.end = row.at, TRANSFERRED
        arrived = Visit(row.request_id, row.to_booth_id, row.at)
        stays.append(arrived)
        return arrived
    if row.kind is EventKind.reopened:
        again = Visit(row.request_id, stay.booth_id, None)
        stays.append(again)
        return again
    if stay.end is not None:
        return stay
    if row.kind is EventKind.taken:
        stay.taken = row.at
    elif row.kind.is_call:
        stay.first_called = stay.first_called or row.at
        stay.last_called = row.at
    elif row.kind is EventKind.no_show:
        stay.no_show = True
    elif row.kind in _ENDS:
        stay.ended, stay.end = row.at, _ENDS[row.kind]
    return stay


def trail_rows(*, fair_id: int | None = None, booth_id: int | None = None) -> list[TrailRow]:
    """The trail events the stays are made of: of every request of a fair, or of every request that
    was ever in one booth's line (there now, or transferred away from it)."""
    statement = (
        sa.select(RequestEvent.request_id, ServiceRequest.booth_id, ServiceRequest.created_at, RequestEvent.kind,
                  RequestEvent.created_at, RequestEvent.from_booth_id, RequestEvent.to_booth_id)
        .join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
        .where(RequestEvent.kind.in_(KINDS)).order_by(RequestEvent.request_id, RequestEvent.id))
    if fair_id is not None:
        statement = statement.where(ServiceRequest.fair_id == fair_id)
    if booth_id is not None:
        left = sa.select(RequestEvent.request_id).where(
            RequestEvent.from_booth_id == booth_id, RequestEvent.kind == EventKind.transferred)
        statement = statement.where(sa.or_(ServiceRequest.booth_id == booth_id, ServiceRequest.id.in_(left)))
    return [TrailRow(*row) for row in db.session.execute(statement)]
