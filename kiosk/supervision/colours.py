"""Three-colour supervision (三色督办, DESIGN.md): what supervision says of an open ledger item on a
day, derived from its dates and never stored, most severe first:

- red (逾期): past its current due date;
- yellow (滞后): behind: an extension asked for and not yet decided, or, while the plan is being
  carried out, no progress note for SUPERVISION_QUIET_DAYS days (since the latest note, else since
  the day it reached the ledger), or not acknowledged (签收) within ACKNOWLEDGE_WORKING_DAYS working
  days of that day;
- blue (临期): due within SUPERVISION_DUE_SOON_DAYS days;
- otherwise normal (正常). A parked item (挂账: parked_until after the day) shows "parked" instead
  of any colour.

The day an item reached the ledger: the day an organiser's close handed it over (会后办理), else
its fair's close day; before its fair closes the clocks of "quiet" and "not acknowledged" have not
started. An item done (办结) waits on the organisers' confirmation, not on its department, so only
a pending extension makes it yellow.

Each rule is here twice: colour_of() for one item in Python, and colour_sql()/colour_condition()
for SQL, so that lists count and filter by colour over many rows without loading them
(tests/test_supervision_colours.py holds the two to agreement). The working-day rule becomes a
plain date bound in SQL: the deadline add_working_days(day, n) only grows with the day, so the
items late today are exactly those that reached the ledger on or before one day (ColourRules.on).
"""
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today, local_day
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Booth, Department, Fair, Zone
from kiosk.service_requests.models import ServiceRequest, Status, awaiting_closeout_sql
from kiosk.supervision.models import Behind, Colour

#: the colours in the order lists and counts show them
SHOWN = (Colour.red, Colour.yellow, Colour.blue, Colour.normal, Colour.parked)


@dataclass(frozen=True)
class ColourRules:
    """The colours' bounds on one day, with the settings' numbers (kiosk.core.config)."""
    today: date
    due_soon_days: int
    quiet_days: int
    acknowledge_days: int
    #: due on or before this day (and not overdue): blue
    soon_until: date
    #: a latest progress note (or the day it reached the ledger) on or before this day: quiet
    quiet_since: date
    #: reached the ledger on or before this day and not acknowledged: late with its receipt
    unacknowledged_since: date
    #: the same two days' ends as stored UTC times (Fair.closed_at is naive UTC): a fair closed
    #: before the first is quiet since its close, before the second late with its receipts
    quiet_closed_before: datetime
    unacknowledged_closed_before: datetime

    @classmethod
    def on(cls, today: date) -> "ColourRules":
        config = current_app.config
        return _rules(today, config["SUPERVISION_DUE_SOON_DAYS"], config["SUPERVISION_QUIET_DAYS"],
                      config["ACKNOWLEDGE_WORKING_DAYS"], config["BABEL_DEFAULT_TIMEZONE"])

    def params(self) -> dict:
        """The values of BOUND's parameters on this day, for a statement built once with them."""
        return {f"colour_{name}": getattr(self, name) for name in _BOUND_DAYS}

    @property
    def settings(self) -> tuple[int, int, int]:
        """The settings the colours' words state: a kept copy that shows them is keyed by them."""
        return self.due_soon_days, self.quiet_days, self.acknowledge_days

    def definitions(self) -> dict[Colour, str]:
        """What each colour means, with the settings' numbers: shown wherever colours are."""
        return {
            Colour.red: _l("红色·逾期：办理中或已办结待销号，且已过当前完成时限"),
            Colour.yellow: _l("黄色·滞后：有待批的延期申请；或办理中超过%(quiet)d天没有办理进展（从最近一次进展算起，"
                              "没有进展的从进入台账之日算起）；或进入台账后%(ack)d个工作日内未签收",
                              quiet=self.quiet_days, ack=self.acknowledge_days),
            Colour.blue: _l("蓝色·临期：%(soon)d天内到期（含今天）", soon=self.due_soon_days),
            Colour.normal: _l("正常：未销号，不属于以上情况"),
            Colour.parked: _l("挂账：经组织方同意暂缓办理、未到复核日期，不标颜色，不计逾期"),
        }


@functools.lru_cache(maxsize=64)
def _rules(today: date, soon: int, quiet: int, acknowledge: int, zone_name: str) -> ColourRules:
    """The rules of a day, made once per day and settings (the ledger's list asks at every view, and
    the working-day bound walks the calendar)."""
    zone = ZoneInfo(zone_name)
    quiet_since = today - timedelta(days=quiet)
    late = latest_late_day(today, acknowledge)
    return ColourRules(today, soon, quiet, acknowledge, today + timedelta(days=soon), quiet_since, late,
                       _end_of_day_utc(quiet_since, zone), _end_of_day_utc(late, zone))


def latest_late_day(today: date, working_days: int) -> date:
    """The latest day an item may have reached the ledger and, unacknowledged, be late today: its
    deadline, `working_days` working days on, is already past. (The deadline never comes earlier for
    a later day, so every earlier day is late too.)"""
    day = today - timedelta(days=working_days + 1)  # (n working days on is at least n days on)
    while add_working_days(day, working_days) >= today:
        day -= timedelta(days=1)
    return day


def _end_of_day_utc(day: date, zone: ZoneInfo) -> datetime:
    """The first moment after `day` where the fair is, as naive UTC (how Fair.closed_at is kept)."""
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return following.astimezone(UTC).replace(tzinfo=None)


# --- one item, in Python ---------------------------------------------------------------------------

def reached_ledger_on(item: ServiceRequest) -> date | None:
    """The day it reached the ledger: handed over at the close, else its fair's close day; None
    while its fair is open."""
    if item.handed_over_on is not None:
        return item.handed_over_on
    closed = item.fair.closed_at
    return None if closed is None else local_day(closed)


def behind(item: ServiceRequest, rules: ColourRules) -> tuple[Behind, ...]:
    """Why the item is behind on that day (empty: it is not)."""
    reasons = []
    if item.extension_asked_on is not None:
        reasons.append(Behind.extension_pending)
    if item.status is Status.planned:
        reached = reached_ledger_on(item)
        last = item.last_progress_on or reached
        if last is not None and last <= rules.quiet_since:
            reasons.append(Behind.quiet)
        if (item.acknowledged_at is None and reached is not None
                and add_working_days(reached, rules.acknowledge_days) < rules.today):
            reasons.append(Behind.unacknowledged)
    return tuple(reasons)


def colour_of(item: ServiceRequest, rules: ColourRules) -> Colour | None:
    """The item's colour on the rules' day; None for an item not open on the ledger."""
    if not item.status.awaits_closeout:
        return None
    if item.parked_until is not None and item.parked_until > rules.today:
        return Colour.parked
    due = item.current_due
    if due is not None and due < rules.today:
        return Colour.red
    if behind(item, rules):
        return Colour.yellow
    if due is not None and due <= rules.soon_until:
        return Colour.blue
    return Colour.normal


def behind_words(reasons, rules: ColourRules) -> list[str]:
    """The reasons as the pages and the notice say them."""
    words = {Behind.extension_pending: _l("延期申请待批"),
             Behind.quiet: _l("超过%(days)d天无进展", days=rules.quiet_days),
             Behind.unacknowledged: _l("超过%(days)d个工作日未签收", days=rules.acknowledge_days)}
    return [str(words[Behind(r)]) for r in reasons]


# --- many items, in SQL ----------------------------------------------------------------------------

class _ColourType(sa.types.TypeDecorator):
    """The colour column a query reads back as a Colour."""
    impl = sa.String(8)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else Colour(value)


def _reached_by(day: date, closed_before: datetime):
    """The SQL condition: the item reached the ledger on or before `day`."""
    closed_fairs = sa.select(Fair.id).where(Fair.closed_at < closed_before)
    return sa.or_(sa.and_(ServiceRequest.handed_over_on.is_not(None), ServiceRequest.handed_over_on <= day),
                  sa.and_(ServiceRequest.handed_over_on.is_(None), ServiceRequest.fair_id.in_(closed_fairs)))


def behind_sql(rules: ColourRules) -> dict[Behind, sa.ColumnElement]:
    """behind()'s reasons as SQL conditions (never NULL, so that they can be negated)."""
    item, planned = ServiceRequest, ServiceRequest.status == Status.planned
    return {
        Behind.extension_pending: item.extension_asked_on.is_not(None),
        Behind.quiet: sa.and_(planned, sa.or_(
            sa.and_(item.last_progress_on.is_not(None), item.last_progress_on <= rules.quiet_since),
            sa.and_(item.last_progress_on.is_(None), _reached_by(rules.quiet_since, rules.quiet_closed_before)))),
        Behind.unacknowledged: sa.and_(planned, item.acknowledged_at.is_(None), _reached_by(
            rules.unacknowledged_since, rules.unacknowledged_closed_before)),
    }


def _parts(rules: ColourRules) -> dict[str, sa.ColumnElement]:
    item = ServiceRequest
    return {
        "parked": sa.and_(item.parked_until.is_not(None), item.parked_until > rules.today),
        "red": item.current_due < rules.today,
        "behind": sa.or_(*behind_sql(rules).values()),
        "soon": item.current_due <= rules.soon_until,
    }


def colour_sql(rules: ColourRules) -> sa.ColumnElement:
    """colour_of() as one SQL expression, read back as a Colour (NULL: not open on the ledger)."""
    part = _parts(rules)
    case = sa.case((ServiceRequest.status.not_in([s for s in Status if s.awaits_closeout]), sa.null()),
                   (part["parked"], Colour.parked.value), (part["red"], Colour.red.value),
                   (part["behind"], Colour.yellow.value), (part["soon"], Colour.blue.value),
                   else_=Colour.normal.value)
    return sa.type_coerce(case, _ColourType())


def behind_mask_sql(rules) -> sa.ColumnElement:
    """behind() as one number: the sum of each reason's bit (Behind's order: 1, 2, 4); 0 when the
    item is not behind. A row read with it gives its reasons back with reasons_of()."""
    return sum((sa.case((condition, 1 << n), else_=0) for n, condition in enumerate(behind_sql(rules).values())),
               start=sa.literal(0))


def reasons_of(mask: int) -> tuple[Behind, ...]:
    return tuple(reason for n, reason in enumerate(Behind) if mask & (1 << n))


#: the days ColourRules gives the SQL form, as parameters of a statement built once (the ledger's
#: rows): execute it with ColourRules.params()
_BOUND_DAYS = {"today": sa.Date, "soon_until": sa.Date, "quiet_since": sa.Date, "unacknowledged_since": sa.Date,
               "quiet_closed_before": sa.DateTime, "unacknowledged_closed_before": sa.DateTime}
BOUND = SimpleNamespace(**{name: sa.bindparam(f"colour_{name}", type_=kind()) for name, kind in _BOUND_DAYS.items()})


def colour_condition(colour: Colour, rules: ColourRules) -> sa.ColumnElement:
    """The SQL condition "open on the ledger and of this colour", in plain comparisons so that the
    red one reads the (status, current_due) indexes."""
    part, item = _parts(rules), ServiceRequest
    not_parked = sa.or_(item.parked_until.is_(None), item.parked_until <= rules.today)
    not_red = sa.or_(item.current_due.is_(None), item.current_due >= rules.today)
    if colour is Colour.parked:
        wanted = part["parked"]
    elif colour is Colour.red:
        wanted = sa.and_(part["red"], not_parked)
    elif colour is Colour.yellow:
        wanted = sa.and_(not_parked, not_red, part["behind"])
    elif colour is Colour.blue:
        wanted = sa.and_(not_parked, part["soon"], item.current_due >= rules.today, sa.not_(part["behind"]))
    else:
        wanted = sa.and_(not_parked, sa.or_(item.current_due.is_(None), item.current_due > rules.soon_until),
                         sa.not_(part["behind"]))
    return sa.and_(awaiting_closeout_sql(), wanted)


@dataclass(frozen=True)
class ColourCounts:
    """Open items by colour; parked ones apart."""
    red: int = 0
    yellow: int = 0
    blue: int = 0
    normal: int = 0
    parked: int = 0

    def __getitem__(self, colour: Colour) -> int:
        return getattr(self, colour.value)

    @property
    def shown(self) -> list[tuple[Colour, int]]:
        return [(colour, self[colour]) for colour in SHOWN]

    @property
    def open(self) -> int:
        """Every item open on the ledger, parked ones included."""
        return self.red + self.yellow + self.blue + self.normal + self.parked


def colour_counts(rules: ColourRules, *, fair_id: int | None = None, department_id: int | None = None,
                  zone: str | None = None) -> ColourCounts:
    """How many open items of each colour, over the ledger or one fair, department or zone (by name):
    one query, the colour computed in SQL."""
    query = sa.select(colour_sql(rules).label("colour")).select_from(ServiceRequest).where(awaiting_closeout_sql())
    if fair_id is not None:
        query = query.where(ServiceRequest.fair_id == fair_id)
    if department_id is not None or zone:
        query = query.join(Booth, ServiceRequest.booth_id == Booth.id)
        if department_id is not None:
            query = query.where(Booth.department_id == department_id)
        if zone:
            query = query.join(Zone, Booth.zone_id == Zone.id).where(Zone.name == zone)
    coloured = query.subquery()
    counted = db.session.execute(sa.select(coloured.c.colour, sa.func.count()).group_by(coloured.c.colour))
    return ColourCounts(**{colour.value: n for colour, n in counted})


@dataclass(frozen=True)
class DepartmentColours:
    department_id: int
    department: str
    counts: ColourCounts


def colours_by_department(rules: ColourRules) -> list[DepartmentColours]:
    """Every department with open items, by name, with its counts: where an organiser looks for
    whom to supervise."""
    coloured = (sa.select(Booth.department_id.label("department_id"), colour_sql(rules).label("colour"))
                .select_from(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
                .where(awaiting_closeout_sql()).subquery())
    rows = db.session.execute(
        sa.select(coloured.c.department_id, Department.name, coloured.c.colour, sa.func.count())
        .join(Department, Department.id == coloured.c.department_id)
        .group_by(coloured.c.department_id, Department.name, coloured.c.colour))
    found: dict[int, tuple[str, dict]] = {}
    for department_id, name, colour, n in rows:
        found.setdefault(department_id, (name, {}))[1][colour.value] = n
    return sorted((DepartmentColours(i, name, ColourCounts(**counts)) for i, (name, counts) in found.items()),
                  key=lambda d: (-d.counts.red, -d.counts.yellow, d.department))


def item_colour(item: ServiceRequest) -> tuple[Colour | None, list[str]]:
    """An item's colour today where the fair is, with the words of why it is behind: its page."""
    rules = ColourRules.on(fair_today())
    return colour_of(item, rules), behind_words(behind(item, rules), rules)
