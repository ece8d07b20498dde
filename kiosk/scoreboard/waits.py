"""The scoreboard's waiting figures (等候情况): per department, over its booths at the period's fairs,
the median and longest wait and the no-shows, as kiosk.figures.waiting_day defines them for a fair's
day. Shown beside the ranking for what they tell, not scored: the formula (kiosk.scoreboard.formula)
and every published ranking stay as they were.
"""
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.figures.periods import Period
from kiosk.figures.waiting_day import WaitFigures, fair_stays, figures_of


@dataclass(frozen=True)
class DepartmentWaits:
    department_id: int
    name: str
    #: a DepartmentKind value: the board lists departments, then banks
    kind: str
    figures: WaitFigures


def department_waits(period: Period) -> list[DepartmentWaits]:
    """Each department's waiting figures over the period's fairs (those held, not drafts), by name
    within its kind; departments whose booths nobody waited at have none to show and are left out."""
    fair_ids = db.session.scalars(sa.select(Fair.id).where(Fair.date.between(period.start, period.end),
                                                           Fair.status != FairStatus.draft)).all()
    if not fair_ids:
        return []
    booths = dict(db.session.execute(sa.select(Booth.id, Booth.department_id).where(Booth.fair_id.in_(fair_ids))).all())
    stays = defaultdict(list)
    for fair_id in fair_ids:
        for stay in fair_stays(fair_id):
            stays[booths[stay.booth_id]].append(stay)
    departments = db.session.execute(sa.select(Department.id, Department.name, Department.kind)
                                     .where(Department.id.in_(stays))).all()
    found = [DepartmentWaits(department_id, name, kind.value, figures_of(stays[department_id]))
             for department_id, name, kind in departments]
    return sorted((one for one in found if one.figures.waited or one.figures.no_shows),
                  key=lambda one: (one.kind != "department", one.name))
