"""What the pages show of the handover (交办) and the receipts (签收), read from the items and their
lists: when an item's receipt is due, an item's receipt as its page shows it, what waits for a
department's receipt on its ledger home, and the organisers' view of a closed fair's handover,
department by department. The moves are kiosk.supervision.handover."""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from kiosk.auth.access import works_on
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today, local_day
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.service_requests.models import EventKind, ServiceRequest
from kiosk.supervision.handover import ON_LIST, OPEN, listed_items
from kiosk.supervision.handover_models import HandoverEntry, HandoverList

#: the most items the ledger home lists for one "acknowledge all" (a department has a fair's
#: dozens; more are acknowledged in the next batch)
RECEIPTS_SHOWN = 200


def _awaits_receipt_sql():
    """acknowledged_at IS NULL AND status = 'planned', written out as the partial index
    ix_service_request_awaiting_receipt says it, so that SQLite and PostgreSQL use it."""
    return sa.and_(ServiceRequest.acknowledged_at.is_(None), ServiceRequest.status == sa.literal_column("'planned'"))


# --- when a receipt is due --------------------------------------------------------------------------

def closed_on(fair: Fair) -> date | None:
    """The day the fair closed where it is held (None: not closed)."""
    if not fair.is_closed:
        return None
    return local_day(fair.closed_at) if fair.closed_at is not None else fair.date


def reached_on(item: ServiceRequest) -> date | None:
    """The day the item reached its department: handed over at the close (会后办理), else its fair's
    close (a plan given at the fair is handed over with the fair's list)."""
    return item.handed_over_on or closed_on(item.fair)


def receipt_due(reached: date) -> date:
    """The last day to acknowledge: ACKNOWLEDGE_WORKING_DAYS working days after it reached the
    department (supervision's yellow starts the day after)."""
    return add_working_days(reached, current_app.config["ACKNOWLEDGE_WORKING_DAYS"])


@dataclass(frozen=True)
class Receipt:
    """An item's handover and receipt, as its page shows them."""
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    #: the receipt is on the trail (False: set at the upgrade that brought receipts, for an item of
    #: a fair closed before: migration 0031)
    recorded: bool
    reached: date | None
    due: date | None
    #: past its receipt's last day and not acknowledged
    late: bool
    #: the lists it was handed over on: (number, first printed at)
    lists: list[tuple[str, datetime]]
    #: its receipt is still asked for: its plan is being carried out (not done or closed out)
    needed: bool
    #: this person may acknowledge it now
    can_acknowledge: bool


def receipt_of(item: ServiceRequest, user, today: date) -> Receipt:
    reached = reached_on(item)
    due = receipt_due(reached) if reached is not None else None
    given = next((e for e in reversed(item.events) if e.kind is EventKind.acknowledged), None)
    by = given.actor.display_name if given is not None and given.actor is not None else None
    entries = db.session.scalars(sa.select(HandoverList).join(HandoverEntry)
                                 .where(HandoverEntry.request_id == item.id).order_by(HandoverList.id)).all()
    needed = item.acknowledged_at is None and item.status in OPEN
    return Receipt(item.acknowledged_at, by, given is not None, reached, due,
                   late=needed and due is not None and today > due,
                   lists=[(e.number, e.first_printed_at) for e in entries], needed=needed,
                   can_acknowledge=(needed and item.fair.is_closed and user.is_department_staff
                                    and works_on(user, item)))


# --- what waits for a department's receipt -----------------------------------------------------------

@dataclass(frozen=True)
class Awaiting:
    """An item waiting for its department's receipt, as a list shows it."""
    id: int
    ticket_no: str
    qualified_no: str
    fair_name: str
    fair_date: date
    company_name: str
    need: str
    current_due: date | None
    reached: date
    due: date
    late: bool


def awaiting_receipt(department_id: int, today: date | None = None,
                     limit: int = RECEIPTS_SHOWN) -> tuple[list[Awaiting], int]:
    """The department's planned items of closed fairs not yet acknowledged, oldest fair first (at
    most `limit`), and how many there are in all."""
    today = today or fair_today()
    # Its booths' and the closed fairs' ids as lists to look in: SQLite then reads the few rows from
    # an index on (fair, booth, status) rather than every planned item of every department.
    condition = sa.and_(
        ServiceRequest.booth_id.in_(sa.select(Booth.id).where(Booth.department_id == department_id)),
        ServiceRequest.fair_id.in_(sa.select(Fair.id).where(Fair.status == FairStatus.closed)),
        _awaits_receipt_sql())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest).where(condition))
    if not total:
        return [], 0
    items = db.session.scalars(sa.select(ServiceRequest).join(Fair, ServiceRequest.fair_id == Fair.id).where(condition)
                               .options(so.contains_eager(ServiceRequest.fair))
                               .order_by(Fair.date, Fair.id, ServiceRequest.ticket_no).limit(limit)).all()
    return [_awaiting(item, today) for item in items], total


def _awaiting(item: ServiceRequest, today: date) -> Awaiting:
    reached = reached_on(item)
    due = receipt_due(reached)
    return Awaiting(item.id, item.ticket_no, item.qualified_no, item.fair.name, item.fair.date, item.company_name,
                    item.need, item.current_due, reached, due, today > due)


# --- the organisers' view -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FairReceipts:
    """A closed fair's handover at a glance."""
    fair: Fair
    items: int
    acknowledged: int
    #: open, not acknowledged
    awaiting: int
    departments: int
    #: departments with a printed list
    printed: int


def fairs_overview() -> list[FairReceipts]:
    """Every closed fair with items on its lists, newest first: items, acknowledged, awaiting,
    departments and lists printed (two GROUP BYs)."""
    awaiting = _awaits_receipt_sql()
    counts = db.session.execute(
        sa.select(ServiceRequest.fair_id, sa.func.count(), sa.func.count(ServiceRequest.acknowledged_at),
                  sa.func.sum(sa.case((awaiting, 1), else_=0)), sa.func.count(sa.distinct(Booth.department_id)))
        .join(Booth, ServiceRequest.booth_id == Booth.id).join(Fair, ServiceRequest.fair_id == Fair.id)
        .where(ServiceRequest.status.in_(ON_LIST), Fair.status == FairStatus.closed)
        .group_by(ServiceRequest.fair_id)).all()
    printed = dict(db.session.execute(sa.select(HandoverList.fair_id, sa.func.count()).group_by(HandoverList.fair_id))
                   .all())
    fairs = {f.id: f for f in db.session.scalars(sa.select(Fair).where(Fair.id.in_([row[0] for row in counts])))}
    out = [FairReceipts(fairs[fair_id], items, acknowledged, int(waiting or 0), departments, printed.get(fair_id, 0))
           for fair_id, items, acknowledged, waiting, departments in counts]
    return sorted(out, key=lambda r: (r.fair.date, r.fair.id), reverse=True)


@dataclass(frozen=True)
class DepartmentReceipts:
    """One department's part of a fair's handover: its list and who has not acknowledged."""
    department: Department
    items: int
    acknowledged: int
    #: done or closed out with no receipt given: nothing left to acknowledge
    closed_unacknowledged: int
    awaiting: list[Awaiting]
    list: HandoverList | None

    @property
    def late(self) -> int:
        return sum(1 for a in self.awaiting if a.late)


def fair_receipts(fair: Fair, today: date) -> list[DepartmentReceipts]:
    """Per department, by name: its items on the fair's lists, how many acknowledged, those awaiting
    receipt (oldest first), and its list as printed (None: not printed yet)."""
    lists = {h.department_id: h for h in db.session.scalars(sa.select(HandoverList)
                                                             .where(HandoverList.fair_id == fair.id))}
    out: dict[int, dict] = {}
    for item in listed_items(fair):
        department = item.booth.department
        entry = out.setdefault(department.id, {"department": department, "items": 0, "acknowledged": 0,
                                               "closed_unacknowledged": 0, "awaiting": []})
        entry["items"] += 1
        if item.acknowledged_at is not None:
            entry["acknowledged"] += 1
        elif item.status in OPEN:
            entry["awaiting"].append(_awaiting(item, today))
        else:
            entry["closed_unacknowledged"] += 1
    return [DepartmentReceipts(**entry, list=lists.get(department_id)) for department_id, entry in out.items()]
