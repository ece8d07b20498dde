"""The closing tally (闭幕统计): what a fair received and how it was handled, per zone and per booth.

The tally is plain data (JSON-ready), so that closing the fair can freeze it as it stood. Its page
and PDF are made in kiosk.tally.report.
"""
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Fair, Zone
from kiosk.figures.satisfaction import SATISFIED_AT, Satisfaction, satisfaction, satisfaction_by_booth
from kiosk.service_requests.models import Category, ServiceRequest, Status

#: the tally's columns, and the states each counts
BUCKETS = {
    "resolved": (Status.resolved,),
    # done or closed out later, but a plan given at the fair
    "planned": (Status.planned, Status.done, Status.closed_out),
    "open": (Status.waiting, Status.in_progress),
    "withdrawn": (Status.withdrawn,),
}
_BUCKET_OF = {status: bucket for bucket, states in BUCKETS.items() for status in states}


#: a booth nobody came to
NO_FIGURES = Satisfaction(with_outcome=0, slips=0, averages={}, satisfied=0, flags_open=0, bad=0)
#: what a tally frozen before it said (no "satisfied_from") counted as satisfied: 满意 and 非常满意
SATISFIED_FROM_BEFORE = 4


class TallyDoesNotAddUp(Exception):
    """received != resolved + planned + open somewhere: the tally must not be printed."""


def tally_of(fair: Fair) -> tuple[dict, bool]:
    """The frozen tally of a closed fair, else the live one; and whether it is frozen."""
    if fair.tally_snapshot is not None:
        check(fair.tally_snapshot)
        return {"satisfied_from": SATISFIED_FROM_BEFORE, **fair.tally_snapshot}, True
    return compute_tally(fair), False


def compute_tally(fair: Fair, taken_at: datetime | None = None) -> dict:
    counts = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    for booth_id, status, n in db.session.execute(
            sa.select(ServiceRequest.booth_id, ServiceRequest.status, sa.func.count())
            .where(ServiceRequest.fair_id == fair.id).group_by(ServiceRequest.booth_id, ServiceRequest.status)):
        counts[booth_id][_BUCKET_OF[status]] += n

    per_booth = satisfaction_by_booth(fair.id)
    booths_of = defaultdict(list)
    for booth in db.session.scalars(sa.select(Booth).where(Booth.fair_id == fair.id).order_by(Booth.code)
                                    .options(so.joinedload(Booth.department))):
        booths_of[booth.zone_id].append(booth)
    zones = []
    for zone in db.session.scalars(sa.select(Zone).where(Zone.fair_id == fair.id).order_by(Zone.position, Zone.id)):
        booths = [_row(booth.code, booth.name, counts[booth.id], per_booth.get(booth.id, NO_FIGURES))
                  for booth in booths_of[zone.id]]
        zones.append({"name": zone.name, "booths": booths,
                      "totals": _row("", zone.name, _sum(booths), satisfaction(zone_id=zone.id)),
                      **_funding(zone_id=zone.id)})
    tally = {
        "taken_at": (taken_at or utcnow()).isoformat(timespec="seconds"),
        #: the lowest overall rating counted as satisfied: a frozen tally keeps the definition it used
        "satisfied_from": SATISFIED_AT,
        "fair": {"name": fair.name, "date": fair.date.isoformat(), "venue": fair.venue},
        "zones": zones,
        "totals": _row("", fair.name, _sum([z["totals"] for z in zones]), satisfaction(fair_id=fair.id)),
        "categories": _categories(fair),
        "planned_items": _planned_items(fair),
    }
    check(tally)
    return tally


def check(tally: dict) -> None:
    """The self-check printed on the tally, enforced: every row must add up."""
    rows = [tally["totals"]] + [z["totals"] for z in tally["zones"]] + [
        b for z in tally["zones"] for b in z["booths"]] + tally["categories"]
    for row in rows:
        if row["received"] != row["resolved"] + row["planned"] + row["open"]:
            raise TallyDoesNotAddUp(row)


def _row(code, name, numbers, figures=None) -> dict:
    row = {"code": code, "name": name, **{k: numbers[k] for k in BUCKETS},
           "received": numbers["resolved"] + numbers["planned"] + numbers["open"]}
    if figures is not None:
        row.update(slips=figures.slips, with_outcome=figures.with_outcome, satisfied_share=figures.satisfied_share,
                   bad_share=figures.bad_share)
    return row


def _sum(rows) -> dict:
    return {k: sum(r[k] for r in rows) for k in BUCKETS}


def _funding(zone_id: int) -> dict:
    count, amount = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(ServiceRequest.amount_wan), 0))
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(Booth.zone_id == zone_id, ServiceRequest.category == Category.funding,
               ServiceRequest.status != Status.withdrawn)).one()
    return {"funding_requests": count, "funding_wan": str(amount)}


def _categories(fair: Fair) -> list[dict]:
    counts = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    for category, status, n in db.session.execute(
            sa.select(ServiceRequest.category, ServiceRequest.status, sa.func.count())
            .where(ServiceRequest.fair_id == fair.id).group_by(ServiceRequest.category, ServiceRequest.status)):
        counts[category][_BUCKET_OF[status]] += n
    return [_row(c.value, c.value, counts[c]) for c in Category if c in counts]


def _planned_items(fair: Fair) -> list[dict]:
    rows = db.session.execute(
        sa.select(ServiceRequest.ticket_no, ServiceRequest.company_name, ServiceRequest.need, ServiceRequest.plan_text,
                  ServiceRequest.plan_unit, ServiceRequest.plan_person, ServiceRequest.plan_due, Booth.code)
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_(BUCKETS["planned"]))
        .order_by(Booth.code, ServiceRequest.ticket_no))
    return [{"ticket": t, "company": c, "need": n, "plan": p, "unit": u, "person": who,
             "due": d.isoformat() if d else "", "booth": b} for t, c, n, p, u, who, d, b in rows]
