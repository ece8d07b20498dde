"""The half-yearly public disclosure (半年公开): each department's figures and the counts by category,
as plain JSON-ready data. Only counts and the names of departments and fairs: no company, no contact,
no phone number, no request's text ever enters it, so that nothing published can leak one."""
from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Fair, FairStatus
from kiosk.figures.periods import Period
from kiosk.scoreboard.figures import published, scoreboard
from kiosk.scoreboard.formula import KINDS, Row, Scoreboard
from kiosk.service_requests.models import Category, ServiceRequest, Status

#: the counts per category, and the states each counts (withdrawn requests are left out everywhere),
#: by the state and whether the request was handed over at its fair's close (会后办理: not a plan given
#: at the fair)
CATEGORY_COUNTS = {
    "received": lambda s, handed_over: not s.is_withdrawn,
    "resolved": lambda s, handed_over: s.resolved_on_site,
    "planned": lambda s, handed_over: s.has_plan and not handed_over,
    "closed_out": lambda s, handed_over: s.is_closed_out,
}


def half_to_open(today: date) -> Period:
    """The half year the organisers' disclosure page opens on: the latest one that has ended with a
    request received at one of its fairs (what there is to publish); failing that, the current half
    year if it has one (what will be published); else the last one to have ended."""
    current = Period.of("half", today)
    received = sa.exists().where(ServiceRequest.fair_id == Fair.id, ServiceRequest.status != Status.withdrawn)
    with_data = sa.select(sa.func.max(Fair.date)).where(Fair.status != FairStatus.draft, received)
    latest = db.session.scalar(with_data.where(Fair.date < current.start))
    if latest is not None:
        return Period.of("half", latest)
    if db.session.scalar(with_data.where(Fair.date.between(current.start, current.end))) is not None:
        return current
    return current.previous


def disclosure_figures(period: Period, *, as_of: date) -> dict:
    board = scoreboard(period, as_of=as_of, with_previous=False)
    frozen = published(period)
    ranking = Scoreboard.from_json(frozen.snapshot) if frozen else None
    ranks = {row.department_id: row for row in ranking.rows} if ranking else {}
    # In the published ranking's order where there is one, else by name: the live scores (with the
    # weights of the day) are no ranking anyone published, and the order must not suggest one.
    departments = {kind: sorted((_department(row, ranks.get(row.department_id)) for row in board.of_kind(kind)
                                 if row.inputs.received or row.inputs.withdrawn),
                                key=lambda row: (row["rank"] is None, row["rank"] or 0, row["name"]))
                   for kind in KINDS}
    every = [row for rows in departments.values() for row in rows]
    return {
        "period": period.key,
        "as_of": as_of.isoformat(),
        "fairs": _fairs(period),
        "departments": departments,
        "totals": {name: sum(row[name] for row in every) for name in _TOTALLED},
        # the published ranking of the same half year, where there is one: its scores are shown
        "ranking": {"revision": frozen.revision, "weights": list(frozen.weights),
                    "as_of": frozen.as_of.isoformat(), "min_counted": ranking.min_counted} if frozen else None,
        "categories": _categories(period),
    }


#: the counts the disclosure adds up over every department and bank
_TOTALLED = ("received", "replied", "resolved", "planned", "closed_out", "closed_on_time", "open_overdue", "ratings",
             "satisfied", "bad", "parked")


def _department(row: Row, ranked: Row | None) -> dict:
    i = row.inputs
    return {"name": row.name, "received": i.received, "replied": i.replied, "resolved": i.resolved,
            "planned": i.planned, "closed_out": i.closed_out, "closed_on_time": i.closed_on_time,
            "open_overdue": i.open_overdue, "parked": i.parked, "ratings": i.rating_count, "satisfied": i.satisfied,
            "bad": i.bad,
            "reply_rate": row.reply_rate, "completion_rate": row.completion_rate,
            "closeout_rate": row.closeout_rate, "satisfied_share": row.satisfied_share,
            "rank": ranked.rank if ranked else None,
            "total": str(ranked.total) if ranked and ranked.total is not None else None}


def _fairs(period: Period) -> list[dict]:
    received = sa.func.count(sa.case((ServiceRequest.status != Status.withdrawn, 1)))
    rows = db.session.execute(
        sa.select(Fair.name, Fair.date, received).outerjoin(ServiceRequest, ServiceRequest.fair_id == Fair.id)
        .where(Fair.date.between(period.start, period.end), Fair.status != FairStatus.draft)
        .group_by(Fair.id, Fair.name, Fair.date).order_by(Fair.date, Fair.id))
    return [{"name": name, "date": day.isoformat(), "received": n} for name, day, n in rows]


def _categories(period: Period) -> list[dict]:
    counts = defaultdict(lambda: dict.fromkeys(CATEGORY_COUNTS, 0))
    handed_over = ServiceRequest.handed_over_on.is_not(None)
    rows = db.session.execute(
        sa.select(ServiceRequest.category, ServiceRequest.status, handed_over, sa.func.count())
        .join(Fair, ServiceRequest.fair_id == Fair.id)
        .where(Fair.date.between(period.start, period.end), Fair.status != FairStatus.draft)
        .group_by(ServiceRequest.category, ServiceRequest.status, handed_over))
    for category, status, was_handed_over, n in rows:
        for name, counts_it in CATEGORY_COUNTS.items():
            if counts_it(status, bool(was_handed_over)):
                counts[category][name] += n
    return [{"code": category.value, **counts[category]} for category in Category if counts[category]["received"]]
