"""The department scoreboard's formula (要素保障大比拼) and the plain data it is made of: what one
department's scores are computed from (`Inputs`), its line of the ranking (`Row`), the scores
(`scores`) and the whole board (`Scoreboard`). What it counts from the database: kiosk.scoreboard.counts;
the board of a period, ranked: kiosk.scoreboard.figures.

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
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from kiosk.fairs.models import DepartmentKind
from kiosk.figures.periods import Period

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
