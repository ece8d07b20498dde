"""The scoreboard's periods: a month, a quarter, a half year, a year (Tai'an ranks monthly, reports
quarterly, sums up half-yearly and yearly). A period is its first and last day; its key is what URLs,
published rankings and disclosures name it by: 2026-06, 2026-Q2, 2026-H1, 2026."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

#: kind -> months in one period of that kind
MONTHS_IN = {"month": 1, "quarter": 3, "half": 6, "year": 12}
KIND_LABELS = {"month": _l("月度"), "quarter": _l("季度"), "half": _l("半年"), "year": _l("年度")}
#: a key as written: ASCII digits only (\d and int() would take ２０２６ or ٢٠٢٦), matched whole (a $
#: would let a trailing newline through)
_KEY = re.compile(r"([0-9]{4})(?:-([0-9]{2})|-Q([1-4])|-H([12]))?")


class NoSuchPeriod(ValueError):
    """A key that names no period (404 where a URL gave it)."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    #: the month (1..12), quarter (1..4) or half (1..2); 1 for a year
    number: int = 1

    @classmethod
    def parse(cls, key: str) -> "Period":
        match = _KEY.fullmatch(key) if isinstance(key, str) else None
        if match is None or not 2000 <= int(match.group(1)) <= 2999:
            raise NoSuchPeriod(key)
        year, month, quarter, half = match.groups()
        if month is not None:
            if not 1 <= int(month) <= 12:
                raise NoSuchPeriod(key)
            return cls(int(year), "month", int(month))
        if quarter is not None:
            return cls(int(year), "quarter", int(quarter))
        if half is not None:
            return cls(int(year), "half", int(half))
        return cls(int(year), "year")

    @classmethod
    def of(cls, kind: str, day: date) -> "Period":
        """The period of this kind that holds the day."""
        months = MONTHS_IN[kind]
        return cls(day.year, kind, (day.month - 1) // months + 1)

    @property
    def key(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-Q{self.number}",
                "half": f"{self.year}-H{self.number}", "year": f"{self.year}"}[self.kind]

    @property
    def first_month(self) -> int:
        return (self.number - 1) * MONTHS_IN[self.kind] + 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        return self.following.start - timedelta(days=1)

    @property
    def months(self) -> list[date]:
        """Each month of the period, as its first day."""
        return [date(self.year, self.first_month + n, 1) for n in range(MONTHS_IN[self.kind])]

    @property
    def previous(self) -> "Period":
        """The period of the same kind before this one: what the ranking's change is measured from."""
        count = 12 // MONTHS_IN[self.kind]
        return Period(self.year - 1, self.kind, count) if self.number == 1 else Period(
            self.year, self.kind, self.number - 1)

    @property
    def following(self) -> "Period":
        count = 12 // MONTHS_IN[self.kind]
        return Period(self.year + 1, self.kind, 1) if self.number == count else Period(
            self.year, self.kind, self.number + 1)

    @property
    def label(self) -> str:
        """2026年6月, 2026年第2季度, 2026年上半年, 2026年 (2026-06, 2026 Q2, 2026 H1, 2026 in English)."""
        if self.kind == "month":
            return str(_l("%(year)d年%(month)d月", year=self.year, month=self.number))
        if self.kind == "quarter":
            return str(_l("%(year)d年第%(quarter)d季度", year=self.year, quarter=self.number))
        if self.kind == "half":
            return str(_l("%(year)d年上半年", year=self.year) if self.number == 1
                       else _l("%(year)d年下半年", year=self.year))
        return str(_l("%(year)d年", year=self.year))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self):
        return self.key


def choices_around(kind: str, today: date, back: int = 8) -> list[Period]:
    """The periods of a kind a picker offers: the current one and those before it, newest first."""
    period, periods = Period.of(kind, today), []
    for _ in range(back):
        periods.append(period)
        period = period.previous
    return periods
