"""The geometry of the kiosk's bar charts, as plain data that one Jinja macro (templates/charts.html)
draws as SVG: the same on the dashboard, the tally page, the tally PDF and the hall screen.

Drawn on the server: SVG needs no script (the CSP allows none inline, and WeasyPrint runs none), and
the figures drawn are the table's figures, read from the same rows. A bar is stacked from the
tally's own columns (resolved on site, plan given, handed over at the close, still open), so its
length is the row's `received`; withdrawn requests (and those ended at the close) are counted by no
tally and drawn by no bar.

Lengths are in units of WIDTH (the SVG's viewBox), rounded to a tenth: the browser and WeasyPrint
stretch the drawing to the column it sits in, so the numbers stay small and exact.
"""
from dataclasses import dataclass

#: the tally's columns a bar is stacked from, in drawing order (the left end is what was settled);
#: handed_over (会后办理, at the close) is drawn only where a tally has it (a tally frozen before has not)
SERIES = ("resolved", "planned", "handed_over", "open")
#: the series a bar has only where its row has some
OPTIONAL = ("handed_over",)
#: the viewBox's width: a bar as long as the chart's scale is this long
WIDTH = 100


@dataclass(frozen=True)
class Segment:
    key: str  #: one of SERIES
    value: int
    x: float  #: where it starts, in viewBox units
    width: float


@dataclass(frozen=True)
class Bar:
    key: str  #: the booth's code or the category's value: what the row is
    label: str
    total: int  #: the row's `received`: what the segments add up to
    segments: list[Segment]


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    scale: int  #: the value a full-width bar stands for: a round number at or above the longest bar
    ticks: list[tuple[int, float]]  #: (value, x) of the gridlines, 0 and scale included

    @property
    def handed_over(self) -> bool:
        """Some bar has requests handed over at the close: the legend and the scale's line name them."""
        return any(s.key == "handed_over" and s.value for bar in self.bars for s in bar.segments)


def outcome_bars(rows: list[dict], label=lambda row: row["name"], scale: int | None = None) -> BarChart:
    """A stacked bar per tally row (a booth's or a category's: anything with SERIES and `received`).
    `scale` puts several charts on one scale (the hall screen's booth columns)."""
    scale = scale or nice_scale(max((row["received"] for row in rows), default=0))
    bars = []
    for row in rows:
        x, segments = 0.0, []
        for key in SERIES:
            if key in OPTIONAL and not row.get(key):
                continue
            width = _length(row[key], scale)
            segments.append(Segment(key=key, value=row[key], x=x, width=width))
            x = round(x + width, 1)
        bars.append(Bar(key=row.get("code") or row["name"], label=label(row), total=row["received"],
                        segments=segments))
    step = scale // _TICKS_PER_SCALE.get(_leading(scale), 5)
    ticks = [(value, _length(value, scale)) for value in range(0, scale + 1, step)]
    return BarChart(bars=bars, scale=scale, ticks=ticks)


def nice_scale(longest: int) -> int:
    """The smallest of 5, 10, 20, 50, 100, 200, ... at or above the longest bar: gridlines then fall on
    round numbers that a reader adds up at a glance."""
    scale = 5
    while scale < longest:
        scale = scale * 2 if _leading(scale) in (1, 5) else scale * 5 // 2
    return scale


def _leading(n: int) -> int:
    while n >= 10:
        n //= 10
    return n


#: gridlines per scale: five of 1 (10, 100, ...) and of 5, four of 2 (20 in steps of 5)
_TICKS_PER_SCALE = {1: 5, 2: 4, 5: 5}


def _length(value: int, scale: int) -> float:
    return round(WIDTH * value / scale, 1)


def tally_charts(tally: dict) -> dict:
    """A tally's charts: `booths` (every booth, code and name), `zones` ((zone name, its booths' chart)
    for each zone, all on the booths' one scale, so that bars compare across zones) and `categories`
    (labelled by the category's value, which the page names in its language)."""
    booth_rows = [booth for zone in tally["zones"] for booth in zone["booths"]]
    booths = outcome_bars(booth_rows, label=lambda row: f"{row['code']} {row['name']}")
    return {
        "booths": booths,
        "zones": [(zone["name"], outcome_bars(zone["booths"], scale=booths.scale)) for zone in tally["zones"]],
        "categories": outcome_bars(tally["categories"], label=lambda row: row["code"]),
    }
