"""What the scoreboard counts of each department's requests over a period's fairs (its `Inputs`
but the efficiency points): received, replied on the fair day, resolved, planned, closed out (on
time or not), open and overdue on the as-of day, parked, and their ratings by level; the rules of
what each counts as are kiosk.scoreboard.formula's docstring."""
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.scoreboard.formula import Inputs
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status

_FIELDS = ("received", "withdrawn", "replied", "resolved", "planned", "closed_out", "closed_on_time", "open_overdue",
           "confirmation_ratings", "rated_5", "rated_4", "rated_3", "rated_2", "rated_1")
#: the columns of department_inputs' rows after (department, state): how many, closed out on time, past their current
#: due date, rated on a close-out, handed over at the close, then rated 5 (非常满意) down to 1
_N, _ON_TIME, _PAST_DUE, _CONFIRMATIONS, _HANDED_OVER, _RATED = 2, 3, 4, 5, 6, 7


def _adds(status: Status) -> tuple[tuple[int, int], ...]:
    """What a (department, state) row of department_inputs adds to the department's inputs, as (field, column)
    pairs: the states' own rules decide what each state counts as."""
    counts = {"received": not status.is_withdrawn, "withdrawn": status.is_withdrawn, "replied": status.has_outcome,
              "resolved": status.resolved_on_site, "planned": status.has_plan, "closed_out": status.is_closed_out}
    adds = [(_FIELDS.index(name), _N) for name, counted in counts.items() if counted]
    if status.is_closed_out:
        adds.append((_FIELDS.index("closed_on_time"), _ON_TIME))
    if status.awaits_closeout:
        adds.append((_FIELDS.index("open_overdue"), _PAST_DUE))
    if not status.is_withdrawn:
        adds.append((_FIELDS.index("confirmation_ratings"), _CONFIRMATIONS))
        adds.extend((_FIELDS.index(f"rated_{level}"), _RATED + n) for n, level in enumerate((5, 4, 3, 2, 1)))
    return tuple(adds)


#: by the state's stored value, as the rows carry it
_ADDS = {status.value: _adds(status) for status in Status}
#: the states a request handed over at its fair's close can be in (planned since, done, closed out)
_PLAN_STATES = {status.value for status in Status if status.has_plan}


def department_inputs(fairs: list[Fair], as_of: date) -> dict[int, Inputs]:
    """The request counts and ratings of each department over the fairs given, in one pass over the
    requests and nothing else: ix_service_request_scoreboard holds every column read here, in the
    order they are grouped, so the pass reads neither the requests' wide rows nor any other table.
    Each request carries its one rating (一事一评: the close-out verdict's, else the fair-day
    slip's; kiosk.scoreboard.ratings keeps it). FILTER rather than CASE: a fifth cheaper per row.
    """
    if not fairs:
        return {}
    count, request = sa.func.count, ServiceRequest
    per_booth = (
        sa.select(request.booth_id, request.status, count().label("n"),
                  count().filter(request.closed_out_on <= request.plan_due).label("on_time"),
                  count().filter(request.current_due < as_of).label("past_due"),
                  count().filter(request.rated_on_closeout).label("confirmations"),
                  count().filter(request.handed_over_on.is_not(None)).label("handed_over"),
                  *(count().filter(request.rating == level).label(f"rated_{level}") for level in (5, 4, 3, 2, 1)))
        .where(request.fair_id.in_([fair.id for fair in fairs]))
        .group_by(request.fair_id, request.booth_id, request.status)).subquery()
    # Summed per department in SQL, over the 15,000 (booth, state) groups of a year: in Python that
    # loop took a fifth of the scoreboard's time.
    query = (sa.select(Booth.department_id, sa.type_coerce(per_booth.c.status, sa.String),
                       # (PostgreSQL sums counts as numeric: integers, as SQLite's)
                       *(sa.cast(sa.func.sum(column), sa.Integer) for column in list(per_booth.c)[2:]))
             .join(Booth, Booth.id == per_booth.c.booth_id)
             .group_by(Booth.department_id, per_booth.c.status))
    totals: dict[int, list[int]] = {}
    for row in db.session.connection().execute(query).all():
        counts = totals.setdefault(row[0], [0] * len(_FIELDS))
        for field_index, column in _ADDS[row[1]]:
            counts[field_index] += row[column]
        if row[1] in _PLAN_STATES:
            # 会后办理 (handed over at the close): received, but no reply on the fair day, no plan given there
            counts[_FIELDS.index("replied")] -= row[_HANDED_OVER]
            counts[_FIELDS.index("planned")] -= row[_HANDED_OVER]
    for department, late in _replied_late(fairs, as_of).items():
        totals[department][_FIELDS.index("replied")] -= late
    parked = _parked(fairs, as_of)
    for department, (_n, past_due) in parked.items():
        totals[department][_FIELDS.index("open_overdue")] -= past_due
    rated = _FIELDS.index("rated_5")
    return {department: Inputs(**dict(zip(_FIELDS[:rated], counts[:rated], strict=True)),
                               ratings=tuple(counts[rated:]), parked=parked.get(department, (0, 0))[0])
            for department, counts in totals.items()}


def _parked(fairs: list[Fair], as_of: date) -> dict[int, tuple[int, int]]:
    """Per department, the requests parked on the as-of day (挂账), and how many of them are past
    their current due date: department_inputs' pass counted those as open and overdue, which a parked item is
    not. Read on ix_service_request_parked: the few items ever parked, not the year's requests."""
    request = ServiceRequest
    rows = db.session.execute(
        sa.select(Booth.department_id, sa.func.count(), sa.func.count().filter(request.current_due < as_of))
        .join(Booth, request.booth_id == Booth.id)
        .where(request.parked_until.is_not(None), request.parked_until > as_of, request.status == Status.planned,
               request.fair_id.in_([fair.id for fair in fairs]))
        .group_by(Booth.department_id))
    return {department: (n, past_due) for department, n, past_due in rows}


def _replied_late(fairs: list[Fair], as_of: date) -> dict[int, int]:
    """Per department, the requests counted as replied whose outcome came after their fair's day.

    A fair takes outcomes only while it is open, and one closed by the end of its day took none
    later: for it, every request with an outcome was replied on the fair day. Only a fair left open
    past its day (or reopened) needs each outcome's time, from the trail.
    """
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])

    def day_end(fair: Fair) -> datetime:
        """The end of the fair's day, as the naive UTC time the trail stores."""
        local = datetime.combine(fair.date + timedelta(days=1), time(), tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    late_fairs = {fair.id: day_end(fair) for fair in fairs
                  if (fair.closed_at > day_end(fair) if fair.closed_at is not None else as_of > fair.date)}
    if not late_fairs:
        return {}
    outcome_kinds = [EventKind.resolved, EventKind.planned]
    rows = db.session.execute(
        sa.select(Booth.department_id, ServiceRequest.fair_id, sa.func.max(RequestEvent.created_at))
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .join(RequestEvent, RequestEvent.request_id == ServiceRequest.id)
        .where(ServiceRequest.fair_id.in_(late_fairs), ServiceRequest.handed_over_on.is_(None),
               ServiceRequest.status.in_([status for status in Status if status.has_outcome]),
               RequestEvent.kind.in_(outcome_kinds))
        .group_by(ServiceRequest.id, Booth.department_id, ServiceRequest.fair_id))
    late = defaultdict(int)
    for department_id, fair_id, outcome_at in rows:
        if outcome_at >= late_fairs[fair_id]:
            late[department_id] += 1
    return late
