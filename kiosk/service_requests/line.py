"""The waiting line (排队) at a booth, defined once: who is in it, in which order, and a request's place.

Use these and nothing else wherever a line is shown, counted or called from:
- `in_line_sql(booth_id, now)`: the SQL condition "in that booth's line now";
- `line_order()`: the ORDER BY of the line, first to be called first;
- `place_in_line(item, now)`: 1 for the next to be called, None when not in a line (called, held
  after a skip, a no-show, taken, settled); `ahead_of(item, now)`: how many are before it (None
  likewise);
- `next_in_line(booth_id, now)`: the statement call-next (kiosk.service_requests.calling) runs.

The rules (issue 29):
- A request is in a line while it waits (status waiting) and is neither called, held after a skip,
  nor a no-show (kiosk.service_requests.calls: `line_state_at(now) == "in_line"`).
- It is in ONE line: its lead booth's (ServiceRequest.booth_id), the booth it is at now. A
  transferred request is in the line of the booth it went to, from the transfer's time (it joins
  that line at its end: those already there came first). A joint request (联合会商) is in its lead
  booth's line only: the joint booths see it in their queues but never call it, since the company
  queues at one booth and the lead booth answers for it (can_act).
- Order: the priority categories first, if the organiser named any (KIOSK_PRIORITY_CATEGORIES,
  app-wide: `priority_categories()`), then the longest waiting first, by `line_since`: the filing's
  time (created_at), else `in_line_since` (a transfer's time; after a first skip, the moment it comes
  back at the end of the line: the skip's time plus KIOSK_SKIP_GRACE_MINUTES), then the id.
- Times are naive UTC (as created_at); `now` defaults to kiosk.core.timeutil.utcnow().

A request's line state changes at `in_line_since` without any write (a held request comes back by
itself): a poller that shows place in line and caches by version must also key on whether
`item.line_state_at(now)` changed (the company's ticket page does: kiosk.intake).
"""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.service_requests.models import Category, ServiceRequest, Status


def line_since_sql():
    """When a request's place counts from (kiosk.service_requests.calls: CallColumns.line_since), in SQL."""
    return sa.func.coalesce(ServiceRequest.in_line_since, ServiceRequest.created_at)


def priority_categories() -> frozenset[Category]:
    """The categories the organiser asked to be called first (KIOSK_PRIORITY_CATEGORIES: their
    values, comma-separated, e.g. "land,funding"; a value that names no category is left out);
    empty: none, the longest waiting first."""
    named = current_app.config["PRIORITY_CATEGORIES"]
    return frozenset(category for category in Category if category.value in named)


def _rank():
    """0 for a priority category, 1 for the rest (a constant 1 when none is named)."""
    priority = priority_categories()
    if not priority:
        return sa.literal(1)
    return sa.case((ServiceRequest.category.in_(sorted(priority, key=lambda c: c.value)), 0), else_=1)


def line_order() -> tuple:
    """The line's ORDER BY: priority categories first, then the longest waiting (line_since), then the id."""
    return _rank(), line_since_sql(), ServiceRequest.id


def in_line_sql(booth_id, now: datetime | None = None):
    """The SQL condition 'in that booth's line now' (booth_id: an id or a bindparam). A held
    request's in_line_since is in the future, so the last term leaves it out until then."""
    now = now or utcnow()
    return sa.and_(ServiceRequest.booth_id == booth_id, ServiceRequest.status == Status.waiting,
                   ServiceRequest.called_at.is_(None), ServiceRequest.no_show_at.is_(None),
                   line_since_sql() <= now)


def rank_of(item: ServiceRequest) -> int:
    """The item's priority rank as _rank() gives it in SQL."""
    return 0 if item.category in priority_categories() else 1


def ahead_of(item: ServiceRequest, now: datetime | None = None) -> int | None:
    """How many in its booth's line come before it now; None when it is not in a line."""
    now = now or utcnow()
    if item.line_state_at(now) != "in_line":
        return None
    rank, since, its_since = rank_of(item), item.line_since, line_since_sql()
    before = sa.or_(
        _rank() < rank,
        sa.and_(_rank() == rank, sa.or_(its_since < since, sa.and_(its_since == since, ServiceRequest.id < item.id))))
    count = sa.select(sa.func.count()).select_from(ServiceRequest).where(in_line_sql(item.booth_id, now), before)
    return db.session.scalar(count)


def place_in_line(item: ServiceRequest, now: datetime | None = None) -> int | None:
    """Its place in its booth's line now: 1 is next to be called; None when it is not in a line."""
    ahead = ahead_of(item, now)
    return None if ahead is None else ahead + 1


def line_length(booth_id: int, now: datetime | None = None) -> int:
    """How many are in the booth's line now."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)
                             .where(in_line_sql(booth_id, now)))


def next_in_line(booth_id: int, now: datetime | None = None):
    """The statement for the first in the booth's line, locked: on PostgreSQL FOR UPDATE SKIP
    LOCKED, so that two staff calling at once each get a different ticket (the second skips the row
    the first holds until it commits); SQLite ignores it and writes one at a time."""
    return (sa.select(ServiceRequest).where(in_line_sql(booth_id, now)).order_by(*line_order()).limit(1)
            .with_for_update(skip_locked=True))
