"""The department scoreboard (要素保障大比拼) of a period: per department every input counted
(kiosk.scoreboard.counts) and the efficiency points entered, the three scores and the total
(kiosk.scoreboard.formula, whose docstring gives the formula), ranked within departments and within
banks, each row with its change since the period before; and the weights, the minimum and the
published ranking in force.
"""
from collections import defaultdict
from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.figures.periods import Period
from kiosk.scoreboard.counts import department_inputs
from kiosk.scoreboard.formula import DEFAULT_MIN_COUNTED, KINDS, Inputs, Row, Scoreboard, scores
from kiosk.scoreboard.models import DEFAULT_WEIGHTS, EfficiencyPoints, PublishedRanking, ScoreWeights


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
    counts = department_inputs(fairs, as_of)
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
