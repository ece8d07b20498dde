"""The department scoreboard (要素保障大比拼): per department and period, every input counted, the
three scores and the total, ranked within departments and within banks.

What is counted: the requests received at the fairs held in the period (by the fair's date), each
where its lead booth is now (after any transfer), withdrawn ones left out; their state as it stands
on the day the scoreboard is computed (`as_of`), which a published ranking freezes.

The formula (also printed on every page and PDF of the scoreboard, with these names):
- on-time reply rate r1 = replied on the fair day ÷ received (a request still open at its fair's
  close and handed over then, 会后办理, is received and no reply on the fair day)
- completion rate r2 = (resolved on site + closed out) ÷ received
- on-time close-out rate r3 = closed out by the original due date ÷ (closed out + open and overdue);
  left out where nothing is closed out or overdue yet. A parked item (挂账) is neither: counted apart
- effect E = 100 × the mean of r1, r2 and r3 (of r1 and r2 where r3 is left out)
- service S = the mean of the ratings' points on the 好差评 scale: 非常满意 100, 满意 75, 基本满意 50,
  不满意 25, 非常不满意 0; one rating per request: the company's close-out confirmation where it
  rated one, else its fair-day slip's overall rating
- efficiency F = the mean of the points (0..100) organisers entered for the period's months
- total = (wE·E + wS·S + wF·F) ÷ (the sum of the weights of the scores that exist)
Each score and the total is rounded to two decimals (half up), the total from the rounded scores,
so that anyone holding the table gets the same figures. A department that received no request in
the period is listed but not ranked; one without ratings or points is ranked on what it has.
Equal totals share a rank (1, 2, 2, 4).

Plain data throughout: `Scoreboard.as_json()` is what a published ranking freezes and what an API
serves; `Scoreboard.from_json()` reads it back.
"""
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus
from kiosk.figures.periods import Period
from kiosk.scoreboard.models import DEFAULT_WEIGHTS, EfficiencyPoints, PublishedRanking, ScoreWeights
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status

#: a rating (好差评 scale, 5 = 非常满意) -> its points in the service score
RATING_POINTS = {5: 100, 4: 75, 3: 50, 2: 25, 1: 0}
#: the departments' table first, then the banks'
KINDS = (DepartmentKind.department.value, DepartmentKind.bank.value)
#: the fewest counted requests (received, withdrawn left out) that rank a unit, unless the
#: SCOREBOARD_MIN_COUNTED setting says otherwise
DEFAULT_MIN_COUNTED = 3
#: the minimum of a ranking published before there was one: any request at all ranked a unit
MIN_COUNTED_BEFORE = 1
_CENT = Decimal("0.01")


def rounded(value: Fraction | Decimal) -> Decimal:
    """To two decimals, half up (四舍五入), exactly: the scores are computed as fractions."""
    if isinstance(value, Fraction):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_CENT, ROUND_HALF_UP) \
            if value.denominator != 1 else Decimal(value.numerator).quantize(_CENT)
    return value.quantize(_CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Inputs:
    """What one department's scores are computed from, over one period: counts of requests, the
    ratings by level, and the efficiency points entered for each month."""
    #: requests received, withdrawn ones left out
    received: int = 0
    #: withdrawn (a duplicate, a mistake): shown, never counted
    withdrawn: int = 0
    #: given an outcome on the fair day (现场办结 or 现场拿出解决方案)
    replied: int = 0
    #: 现场办结
    resolved: int = 0
    #: a plan given at the fair (closed out since or not); not one handed over at the close (会后办理)
    planned: int = 0
    #: 销号: closed out by an organiser
    closed_out: int = 0
    #: closed out on or before the plan's original due date
    closed_on_time: int = 0
    #: awaiting close-out and past its current due date on the as-of day, parked items left out
    open_overdue: int = 0
    #: how many ratings at each level, from 5 (非常满意) down to 1 (非常不满意)
    ratings: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    #: of those, ratings the company gave when confirming or disputing a close-out (the rest are
    #: fair-day slips)
    confirmation_ratings: int = 0
    #: the efficiency points entered for the period's months: [{"month": "2026-06", "points": "90.00",
    #: "note": ...}], in month order
    efficiency: tuple[dict, ...] = ()
    #: 挂账 on the as-of day (approved, before its review day): counted apart, neither overdue nor
    #: done, so left out of the on-time close-out rate (a ranking published before has none: 0)
    parked: int = 0

    @property
    def rating_count(self) -> int:
        return sum(self.ratings)

    @property
    def satisfied(self) -> int:
        """好差评: 非常满意 + 满意 + 基本满意."""
        return sum(self.ratings[:3])

    @property
    def bad(self) -> int:
        """差评: 不满意 + 非常不满意."""
        return sum(self.ratings[3:])


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class Row:
    """One department's line of the ranking: its inputs, rates, scores and rank."""
    department_id: int
    name: str
    #: department or bank: each ranked among its own kind
    kind: str
    inputs: Inputs
    effect: Decimal | None
    service: Decimal | None
    efficiency: Decimal | None
    total: Decimal | None
    #: 1 = first; None: not ranked (fewer requests received in the period than the board's minimum)
    rank: int | None = None
    #: the rank and total of the period before, where the department was ranked then
    previous_rank: int | None = None
    previous_total: Decimal | None = None

    @property
    def reply_rate(self) -> float | None:
        return _float(_share(self.inputs.replied, self.inputs.received))

    @property
    def completion_rate(self) -> float | None:
        return _float(_share(self.inputs.resolved + self.inputs.closed_out, self.inputs.received))

    @property
    def closeout_rate(self) -> float | None:
        return _float(_share(self.inputs.closed_on_time, self.inputs.closed_out + self.inputs.open_overdue))

    @property
    def satisfied_share(self) -> float | None:
        return _float(_share(self.inputs.satisfied, self.inputs.rating_count))

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the period before (negative: lost); None where either is unranked."""
        return None if self.rank is None or self.previous_rank is None else self.previous_rank - self.rank

    @property
    def total_change(self) -> Decimal | None:
        return None if self.total is None or self.previous_total is None else self.total - self.previous_total


def _float(share: Fraction | None) -> float | None:
    return None if share is None else float(share)


def scores(inputs: Inputs, weights: tuple[int, int, int]) -> dict[str, Decimal | None]:
    """The effect, service and efficiency scores and the total, from the inputs alone (the module's
    docstring says how); None for a score with nothing to compute it from."""
    rates = [_share(inputs.replied, inputs.received),
             _share(inputs.resolved + inputs.closed_out, inputs.received),
             _share(inputs.closed_on_time, inputs.closed_out + inputs.open_overdue)]
    rates = [rate for rate in rates if rate is not None]
    effect = rounded(100 * sum(rates) / len(rates)) if inputs.received else None
    service = rounded(Fraction(sum(RATING_POINTS[5 - n] * count for n, count in enumerate(inputs.ratings)),
                               inputs.rating_count)) if inputs.rating_count else None
    points = [Decimal(entry["points"]) for entry in inputs.efficiency]
    efficiency = rounded(sum(points) / len(points)) if points else None
    present = [(weight, score) for weight, score in zip(weights, (effect, service, efficiency), strict=True)
               if score is not None]
    weight_sum = sum(weight for weight, _ in present)
    total = rounded(sum(weight * score for weight, score in present) / weight_sum) if weight_sum else None
    return {"effect": effect, "service": service, "efficiency": efficiency, "total": total}


@dataclass(frozen=True)
class Scoreboard:
    #: the period's key (kiosk.figures.periods)
    period: str
    #: effect, service, efficiency
    weights: tuple[int, int, int]
    #: the day the figures stand on: overdue items are judged against it
    as_of: date
    #: departments first, then banks; each kind by rank, then the unranked by name
    rows: tuple[Row, ...]
    #: where the change is measured from: "published" (the period before's published ranking),
    #: "computed" (its figures computed now: it was never published) or "" (nothing before)
    previous_source: str = ""
    #: the fairs counted, as {"name", "date"}
    fairs: tuple[dict, ...] = field(default=())
    #: the fewest counted requests that rank a unit (a published ranking keeps the one it had)
    min_counted: int = MIN_COUNTED_BEFORE

    def of_kind(self, kind: str) -> list[Row]:
        return [row for row in self.rows if row.kind == kind]

    def row_of(self, department_id: int) -> Row | None:
        return next((row for row in self.rows if row.department_id == department_id), None)

    def unranked_reason(self, row: Row) -> str | None:
        """Why a row has no rank: "none_received" (nothing in the period) or "too_few" (fewer than
        the board's minimum); None for a ranked row."""
        if row.ranked:
            return None
        return "none_received" if not row.inputs.received else "too_few"

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    def as_json(self) -> dict:
        """As JSON holds it: scores as strings ("87.25"), exact; dates in ISO form."""
        return {
            "period": self.period, "weights": list(self.weights), "as_of": self.as_of.isoformat(),
            "previous_source": self.previous_source, "fairs": list(self.fairs), "min_counted": self.min_counted,
            "rows": [{**{k: v for k, v in asdict(row).items() if k != "inputs"},
                      **{k: None if getattr(row, k) is None else str(getattr(row, k))
                         for k in ("effect", "service", "efficiency", "total", "previous_total")},
                      "inputs": {**asdict(row.inputs), "ratings": list(row.inputs.ratings),
                                 "efficiency": list(row.inputs.efficiency)}}
                     for row in self.rows]}

    @classmethod
    def from_json(cls, data: dict) -> "Scoreboard":
        rows = []
        for raw in data["rows"]:
            inputs = Inputs(**{**raw["inputs"], "ratings": tuple(raw["inputs"]["ratings"]),
                               "efficiency": tuple(raw["inputs"]["efficiency"])})
            rows.append(Row(**{**raw, "inputs": inputs, **{
                k: None if raw[k] is None else Decimal(raw[k])
                for k in ("effect", "service", "efficiency", "total", "previous_total")}}))
        # (A ranking published before the minimum existed holds none: it ranked any unit with a request.)
        return cls(period=data["period"], weights=tuple(data["weights"]), as_of=date.fromisoformat(data["as_of"]),
                   rows=tuple(rows), previous_source=data["previous_source"], fairs=tuple(data["fairs"]),
                   min_counted=data.get("min_counted", MIN_COUNTED_BEFORE))


def weights_in_force() -> tuple[int, int, int]:
    """The weights an organiser set last, else the default 40 / 40 / 20."""
    latest = db.session.scalars(sa.select(ScoreWeights).order_by(ScoreWeights.id.desc()).limit(1)).first()
    return latest.as_tuple if latest is not None else DEFAULT_WEIGHTS


def min_counted_in_force() -> int:
    """The fewest counted requests that rank a unit: the SCOREBOARD_MIN_COUNTED setting, else 3."""
    return max(1, int(current_app.config.get("SCOREBOARD_MIN_COUNTED", DEFAULT_MIN_COUNTED)))


def published(period: Period | str) -> PublishedRanking | None:
    """The period's published ranking in force (its latest revision), if any."""
    return db.session.scalars(sa.select(PublishedRanking).where(PublishedRanking.period == str(period))
                              .order_by(PublishedRanking.revision.desc()).limit(1)).first()


def scoreboard(period: Period, *, as_of: date, weights: tuple[int, int, int] | None = None,
               min_counted: int | None = None, with_previous: bool = True) -> Scoreboard:
    """The scoreboard of a period as its figures stand on `as_of`, with the weights and the minimum
    given (else those in force), each row with its change since the period before."""
    weights = tuple(weights or weights_in_force())
    min_counted = min_counted or min_counted_in_force()
    fairs = _fairs(period)
    counts = _counts(fairs, as_of)
    points = _points(period)
    departments = _departments([fair.id for fair in fairs], set(points))
    rows = []
    for department_id, (name, kind) in departments.items():
        inputs = replace(counts.get(department_id, Inputs()), efficiency=tuple(points.get(department_id, ())))
        rows.append(Row(department_id=department_id, name=name, kind=kind, inputs=inputs, **scores(inputs, weights)))
    previous, source = {}, ""
    if with_previous:
        previous, source = _previous(period.previous, as_of, weights, min_counted)
    return Scoreboard(period=period.key, weights=weights, as_of=as_of,
                      rows=tuple(_ranked(rows, previous, min_counted)), previous_source=source,
                      fairs=tuple({"name": fair.name, "date": fair.date.isoformat()} for fair in fairs),
                      min_counted=min_counted)


def _ranked(rows: list[Row], previous: dict[int, Row], min_counted: int) -> list[Row]:
    """Ranks within each kind: by total, highest first; equal totals share a rank; the unranked
    (fewer requests than the minimum, or no score at all) after them, by name."""
    out = []
    for kind in KINDS:
        of_kind = [row for row in rows if row.kind == kind]
        ranked = sorted((row for row in of_kind if row.inputs.received >= min_counted and row.total is not None),
                        key=lambda row: (-row.total, row.name))
        rank = 0
        for position, row in enumerate(ranked, start=1):
            if position == 1 or row.total != ranked[position - 2].total:
                rank = position
            before = previous.get(row.department_id)
            out.append(replace(row, rank=rank, previous_rank=before.rank if before else None,
                               previous_total=before.total if before and before.rank else None))
        out.extend(sorted((row for row in of_kind if row not in ranked), key=lambda row: row.name))
    return out


def _previous(period: Period, as_of: date, weights, min_counted: int) -> tuple[dict[int, Row], str]:
    """The rows the change is measured from: the period's published ranking where there is one (what
    departments were shown), else its figures computed now; nothing where it had no fair."""
    frozen = published(period)
    if frozen is not None:
        return {row.department_id: row for row in Scoreboard.from_json(frozen.snapshot).rows}, "published"
    if not _fairs(period):
        return {}, ""
    board = scoreboard(period, as_of=as_of, weights=weights, min_counted=min_counted, with_previous=False)
    return {row.department_id: row for row in board.rows}, "computed"


def _fairs(period: Period) -> list[Fair]:
    return list(db.session.scalars(sa.select(Fair).where(Fair.date.between(period.start, period.end),
                                                         Fair.status != FairStatus.draft)
                                   .order_by(Fair.date, Fair.id)))


def _departments(fair_ids: list[int], also: set[int]) -> dict[int, tuple[str, str]]:
    """(name, kind) of every department with a booth at these fairs, and of those named in also."""
    at_fairs = sa.select(Booth.department_id).where(Booth.fair_id.in_(fair_ids))
    rows = db.session.execute(sa.select(Department.id, Department.name, Department.kind)
                              .where(sa.or_(Department.id.in_(at_fairs), Department.id.in_(also))))
    return {department_id: (name, kind.value) for department_id, name, kind in rows}


_FIELDS = ("received", "withdrawn", "replied", "resolved", "planned", "closed_out", "closed_on_time", "open_overdue",
           "confirmation_ratings", "rated_5", "rated_4", "rated_3", "rated_2", "rated_1")
#: the columns of _counts' rows after (department, state): how many, closed out on time, past their current
#: due date, rated on a close-out, handed over at the close, then rated 5 (非常满意) down to 1
_N, _ON_TIME, _PAST_DUE, _CONFIRMATIONS, _HANDED_OVER, _RATED = 2, 3, 4, 5, 6, 7


def _adds(status: Status) -> tuple[tuple[int, int], ...]:
    """What a (department, state) row of _counts adds to the department's inputs, as (field, column)
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


def _counts(fairs: list[Fair], as_of: date) -> dict[int, Inputs]:
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
    their current due date: _counts' pass counted those as open and overdue, which a parked item is
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


def _points(period: Period) -> dict[int, list[dict]]:
    rows = db.session.execute(
        sa.select(EfficiencyPoints.department_id, EfficiencyPoints.month, EfficiencyPoints.points,
                  EfficiencyPoints.note)
        .where(EfficiencyPoints.month.between(period.start, period.end))
        .order_by(EfficiencyPoints.month, EfficiencyPoints.department_id))
    points = defaultdict(list)
    for department_id, month, value, note in rows:
        points[department_id].append({"month": month.strftime("%Y-%m"), "points": str(value), "note": note})
    return points
