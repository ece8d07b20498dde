"""The bottleneck analysis's charts (共性堵点): their geometry as plain data, which one Jinja macro
(templates/supervision/analysis_charts.html) draws as SVG on the page and in the PDF alike. Grouped
bars, not stacked: an item may be parked and overdue at once, so the bars of a row do not add up to
its stuck items; each bar's number is printed beside it."""
from dataclasses import dataclass

from kiosk.figures.charts import nice_scale
from kiosk.supervision.analysis import FLAGS, Analysis, Line


@dataclass(frozen=True)
class Bar:
    key: str  #: one of FLAGS
    value: int
    width: float  #: in viewBox units (100 = the chart's scale)


@dataclass(frozen=True)
class ChartRow:
    key: str
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    scale: int
    ticks: list[tuple[int, float]]


def grouped_bars(lines: list[Line], series: tuple[str, ...] = FLAGS) -> Chart:
    """A row per line, one bar per series (an item may be in several: the bars are not stacked), on one
    round scale (kiosk.figures.charts.nice_scale) with gridlines."""
    scale = nice_scale(max((getattr(line.counts, key) for line in lines for key in series), default=0))
    rows = [ChartRow(line.key, line.name, [Bar(key, getattr(line.counts, key), _length(getattr(line.counts, key),
                                                                                          scale))
                                           for key in series]) for line in lines]
    step = scale // {1: 5, 2: 4, 5: 5}[int(str(scale)[0])]
    return Chart(rows, scale, [(value, _length(value, scale)) for value in range(0, scale + 1, step)])


def _length(value: int, scale: int) -> float:
    return round(100 * value / scale, 1)


def charts(found: Analysis) -> dict[str, Chart]:
    return {"categories": grouped_bars(found.by_category), "departments": grouped_bars(found.by_department),
            "causes": grouped_bars(found.by_cause, ("parked", "parked_now"))}
