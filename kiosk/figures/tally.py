"""The closing tally (闭幕统计): what a fair received and how it was handled, per zone and per booth.

The tally is plain data (JSON-ready), so that closing the fair can freeze it as it stood. Its page
and PDF are made in kiosk.tally.report.
"""
import copy
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Fair, Zone
from kiosk.figures.satisfaction import SATISFIED_AT, Satisfaction, satisfaction, satisfaction_by_booth
from kiosk.figures.waiting_day import tally_waits
from kiosk.service_requests.models import Category, ServiceRequest, Status

#: the tally's columns, and the states each counts (a request handed over or ended at the close is in
#: a column of its own: see bucket_of)
BUCKETS = {
    "resolved": (Status.resolved,),
    # done or closed out later, but a plan given at the fair
    "planned": (Status.planned, Status.done, Status.closed_out),
    # 会后办理: open at the close and handed to its department then (planned since, done or closed out)
    "handed_over": (Status.planned, Status.done, Status.closed_out),
    "open": (Status.waiting, Status.in_progress),
    # withdrawn at the booth (a duplicate, a mistake): counted in no received
    "withdrawn": (Status.withdrawn,),
    # open at the close and ended then with the organiser's reason: counted in no received either
    "ended": (Status.withdrawn,),
}
#: what received adds up (the tally's self-check): withdrawn and ended are listed apart
RECEIVED = ("resolved", "planned", "handed_over", "open")


def bucket_of(status: Status, handed_over: bool, ended: bool) -> str:
    """The tally's column for a request in that state, handed over at the close or not, ended at
    the close or not."""
    if status.is_withdrawn:
        return "ended" if ended else "withdrawn"
    if status.has_plan:
        return "handed_over" if handed_over else "planned"
    return "resolved" if status.resolved_on_site else "open"


#: a booth nobody came to
NO_FIGURES = Satisfaction(with_outcome=0, slips=0, averages={}, satisfied=0, flags_open=0, bad=0)
#: what a tally frozen before it said (no "satisfied_from") counted as satisfied: 满意 and 非常满意
SATISFIED_FROM_BEFORE = 4


class TallyDoesNotAddUp(Exception):
    """received != resolved + planned + handed over + open somewhere: the tally must not be printed."""


def tally_of(fair: Fair) -> tuple[dict, bool]:
    """The frozen tally of a closed fair, else the live one; and whether it is frozen."""
    if fair.tally_snapshot is not None:
        frozen = _as_now(fair.tally_snapshot)
        check(frozen)
        return {"satisfied_from": SATISFIED_FROM_BEFORE, **frozen}, True
    return compute_tally(fair), False


def _as_now(snapshot: dict) -> dict:
    """A tally frozen before the close handed over or ended anything has no such columns: none was."""
    if "handed_over" in snapshot["totals"]:
        return snapshot
    snapshot = copy.deepcopy(snapshot)
    rows = [snapshot["totals"], *(z["totals"] for z in snapshot["zones"]),
            *(b for z in snapshot["zones"] for b in z["booths"]), *snapshot["categories"]]
    for row in rows:
        row.setdefault("handed_over", 0)
        row.setdefault("ended", 0)
    return {"handed_over_items": [], "ended_items": [], **snapshot}


def compute_tally(fair: Fair, taken_at: datetime | None = None, *, with_waits: bool = True) -> dict:
    """The tally as it stands; with_waits=False leaves out the waiting figures (a read of the fair's
    trail), for the dashboard and the hall screen, which do not show them."""
    counts = _counts(fair, ServiceRequest.booth_id)

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
        "handed_over_items": _handed_over_items(fair),
        "ended_items": _ended_items(fair),
        # (a tally frozen before they were counted has none: the page leaves the section out)
        "waits": tally_waits(fair.id) if with_waits else None,
    }
    check(tally)
    return tally


def check(tally: dict) -> None:
    """The self-check printed on the tally, enforced: every row must add up."""
    rows = [tally["totals"]] + [z["totals"] for z in tally["zones"]] + [
        b for z in tally["zones"] for b in z["booths"]] + tally["categories"]
    for row in rows:
        if row["received"] != sum(row[k] for k in RECEIVED):
            raise TallyDoesNotAddUp(row)


def _row(code, name, numbers, figures=None) -> dict:
    row = {"code": code, "name": name, **{k: numbers[k] for k in BUCKETS},
           "received": sum(numbers[k] for k in RECEIVED)}
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


def _counts(fair: Fair, key) -> dict:
    """Per value of `key` (a booth, a category), how many of the fair's requests are in each column."""
    counts = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    handed_over, ended = ServiceRequest.handed_over_on.is_not(None), ServiceRequest.end_reason.is_not(None)
    for value, status, handed, was_ended, n in db.session.execute(
            sa.select(key, ServiceRequest.status, handed_over, ended, sa.func.count())
            .where(ServiceRequest.fair_id == fair.id).group_by(key, ServiceRequest.status, handed_over, ended)):
        counts[value][bucket_of(status, bool(handed), bool(was_ended))] += n
    return counts


def _categories(fair: Fair) -> list[dict]:
    counts = _counts(fair, ServiceRequest.category)
    return [_row(c.value, c.value, counts[c]) for c in Category if c in counts]


def _planned_items(fair: Fair) -> list[dict]:
    rows = db.session.execute(
        sa.select(ServiceRequest.ticket_no, ServiceRequest.company_name, ServiceRequest.need, ServiceRequest.plan_text,
                  ServiceRequest.plan_unit, ServiceRequest.plan_person, ServiceRequest.plan_due, Booth.code)
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_(BUCKETS["planned"]),
               ServiceRequest.handed_over_on.is_(None))
        .order_by(Booth.code, ServiceRequest.ticket_no))
    return [{"ticket": t, "company": c, "need": n, "plan": p, "unit": u, "person": who,
             "due": d.isoformat() if d else "", "booth": b} for t, c, n, p, u, who, d, b in rows]


def _handed_over_items(fair: Fair) -> list[dict]:
    """会后办理: to whom (the unit it was handed to) and the reply deadline it was given (plan_due)."""
    rows = db.session.execute(
        sa.select(ServiceRequest.ticket_no, ServiceRequest.company_name, ServiceRequest.need,
                  ServiceRequest.plan_unit, ServiceRequest.plan_due, Booth.code)
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(ServiceRequest.fair_id == fair.id, ServiceRequest.handed_over_on.is_not(None))
        .order_by(Booth.code, ServiceRequest.ticket_no))
    return [{"ticket": t, "company": c, "need": n, "unit": u, "due": d.isoformat() if d else "", "booth": b}
            for t, c, n, u, d, b in rows]


def _ended_items(fair: Fair) -> list[dict]:
    """Ended at the close, with the reason's code (an EndReason value: the page names it in its language)."""
    rows = db.session.execute(
        sa.select(ServiceRequest.ticket_no, ServiceRequest.company_name, ServiceRequest.need,
                  ServiceRequest.end_reason, Booth.code)
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(ServiceRequest.fair_id == fair.id, ServiceRequest.end_reason.is_not(None))
        .order_by(Booth.code, ServiceRequest.ticket_no))
    return [{"ticket": t, "company": c, "need": n, "reason": r.value, "booth": b} for t, c, n, r, b in rows]
