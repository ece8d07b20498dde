"""The handover after a fair's close (交办) and each department's receipt (签收).

The loop starts at the handover meeting (企业问题交办会): each department gets its list (交办清单)
of the fair's items it leads, printed by an organiser (`record_print`). The first print of a
department's list numbers it (交办〔2026〕12号) and writes `dispatched` on each item's trail, naming
the list; a reprint records nothing again, but an item that joined the list since (a department
changed at a booth) is recorded on the reprint that first holds it.

The department acknowledges receipt on the ledger, item by item (`acknowledge`, against the
version the person saw) or all at once (`acknowledge_all`, the items its page listed, not whatever
is there at the moment of the POST). Either sets the item's acknowledged_at (the copy SQL reads:
supervision's yellow for an item not acknowledged in time) and writes `acknowledged` on its trail.
Acknowledging again is harmless: nothing is written twice. Only the department's own ledger
accounts acknowledge: a receipt an organiser gave for them would say nothing.
"""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.auth.access import works_on
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import fair_today, local_day, now_aware
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status
from kiosk.supervision.handover_models import HandoverEntry, HandoverList, list_number

#: the states of an item on a handover list: every plan of the fair, whatever became of it since
ON_LIST = tuple(s for s in Status if s.has_plan)
#: the state an item waits for its receipt in: its plan being carried out. One the department
#: recorded done (办结) or an organiser closed out was plainly received; supervision's yellow asks
#: for a receipt of these only (kiosk.supervision.colours)
OPEN = (Status.planned,)


def _awaits_receipt_sql():
    """acknowledged_at IS NULL AND status = 'planned', written out as the partial index
    ix_service_request_awaiting_receipt says it, so that SQLite and PostgreSQL use it."""
    return sa.and_(ServiceRequest.acknowledged_at.is_(None), ServiceRequest.status == sa.literal_column("'planned'"))
#: the most items the ledger home lists for one "acknowledge all" (a department has a fair's
#: dozens; more are acknowledged in the next batch)
RECEIPTS_SHOWN = 200

MESSAGES = {
    "conflict": _l("这条事项刚被其他人更新过，以下是最新情况，请核对后再签收。"),
    "not_yours": _l("这条事项不属于本部门，不能签收。"),
    "department_only": _l("签收由责任部门的台账账号办理，组织方不能代为签收。"),
    "not_open": _l("这条事项已报办结或已销号，不需要再签收。"),
    "fair_open": _l("这场大集还没有闭幕：闭幕交办后才能签收。"),
    "busy": _l("其他人正在同时打印或办理这些事项，请再试一次。"),
}


class HandoverRefused(Refused):
    MESSAGES = MESSAGES


# --- receipts ---------------------------------------------------------------------------------------

def acknowledge(item: ServiceRequest, actor, version: int | None, *, now: datetime | None = None) -> bool:
    """签收 of one item, as its department's staff saw it (version). True when this receipt was
    recorded, False when the item was acknowledged already (a double POST: nothing is written)."""
    _check_access(item, actor)
    if item.acknowledged_at is not None:
        return False
    if item.version != version:
        raise HandoverRefused("conflict")
    if not item.fair.is_closed:
        raise HandoverRefused("fair_open")
    if item.status not in OPEN:
        raise HandoverRefused("not_open")
    _receive([item], actor, now or now_aware())
    return True


def acknowledge_all(actor, item_ids: list[int], *, now: datetime | None = None) -> int:
    """签收 of the items the department's page listed (their ids as posted): every one must be the
    department's, or nothing is acknowledged (a forged list is refused whole). Those acknowledged
    meanwhile, or closed out, are left as they are. Returns how many this receipt recorded."""
    wanted = set(item_ids)
    items = db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.id.in_(wanted))
                               .options(so.joinedload(ServiceRequest.booth), so.joinedload(ServiceRequest.fair))
                               ).unique().all() if wanted else []
    if len(items) != len(wanted):
        raise HandoverRefused("not_yours")
    for item in items:
        _check_access(item, actor)
    fresh = [item for item in items
             if item.acknowledged_at is None and item.status in OPEN and item.fair.is_closed]
    _receive(fresh, actor, now or now_aware())
    return len(fresh)


def _check_access(item: ServiceRequest, actor) -> None:
    if actor.is_organiser:
        raise HandoverRefused("department_only")
    if not (actor.is_department_staff and works_on(actor, item)):
        raise HandoverRefused("not_yours")


def _receive(items: list[ServiceRequest], actor, now: datetime) -> None:
    """Each item acknowledged now, its trail naming the list it was handed over on (if printed)."""
    if not items:
        return
    rows = db.session.execute(
        sa.select(HandoverEntry.request_id, HandoverList.year, HandoverList.seq).join(HandoverList)
        .where(HandoverEntry.request_id.in_([item.id for item in items])).order_by(HandoverList.id))
    numbers = {request_id: list_number(year, seq) for request_id, year, seq in rows}  # (the latest list's)
    for item in items:
        item.acknowledged_at = now
        item.events.append(RequestEvent(kind=EventKind.acknowledged, actor=actor, from_status=item.status,
                                        to_status=item.status, detail=numbers.get(item.id)))
    _flush()


def _flush() -> None:
    """The flush is where another's save in between shows (the request's version): nothing kept."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise HandoverRefused("conflict") from None


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
    condition = sa.and_(Booth.department_id == department_id, _awaits_receipt_sql(), Fair.status == FairStatus.closed)
    base = (sa.select(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
            .join(Fair, ServiceRequest.fair_id == Fair.id).where(condition))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    if not total:
        return [], 0
    items = db.session.scalars(base.options(so.contains_eager(ServiceRequest.fair))
                               .order_by(Fair.date, Fair.id, ServiceRequest.ticket_no).limit(limit)).all()
    return [_awaiting(item, today) for item in items], total


def _awaiting(item: ServiceRequest, today: date) -> Awaiting:
    reached = reached_on(item)
    due = receipt_due(reached)
    return Awaiting(item.id, item.ticket_no, item.qualified_no, item.fair.name, item.fair.date, item.company_name,
                    item.need, item.current_due, reached, due, today > due)


# --- the lists ----------------------------------------------------------------------------------------

def listed_items(fair: Fair, department_id: int | None = None) -> list[ServiceRequest]:
    """The fair's items on its handover lists (one department's, or every one's), by department
    name, booth and ticket: every plan the fair gave or handed over, with the booth and company
    the list prints."""
    statement = (sa.select(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
                 .join(Department, Booth.department_id == Department.id)
                 .where(ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_(ON_LIST))
                 .options(so.contains_eager(ServiceRequest.booth).contains_eager(Booth.department))
                 .order_by(Department.name, Department.id, Booth.code, ServiceRequest.ticket_no))
    if department_id is not None:
        statement = statement.where(Booth.department_id == department_id)
    return list(db.session.scalars(statement).unique())


@dataclass(frozen=True)
class Printed:
    """One department's list as printed now: its record and its items."""
    list: HandoverList
    department: Department
    items: list[ServiceRequest]


def record_print(fair: Fair, actor, department_id: int | None = None, *, now: datetime | None = None) -> list[Printed]:
    """A print of one department's list (or of every department's, one after another): each list
    numbered at its first print, and each item it holds for the first time recorded as handed over
    (`dispatched` on its trail, naming the list). Refused for a fair not yet closed."""
    if not fair.is_closed:
        raise HandoverRefused("fair_open")
    now = now or now_aware()
    by_department: dict[int, list[ServiceRequest]] = {}
    for item in listed_items(fair, department_id):
        by_department.setdefault(item.booth.department_id, []).append(item)
    printed = []
    try:
        for items in by_department.values():
            department = items[0].booth.department
            handover = _list_for(fair, department, actor, now)
            entered = set(db.session.scalars(sa.select(HandoverEntry.request_id)
                                             .where(HandoverEntry.list_id == handover.id)))
            detail = f"{handover.number} · {department.name} · {fair.name}（{fair.date.isoformat()}）"
            for item in items:
                if item.id not in entered:
                    db.session.add(HandoverEntry(list_id=handover.id, request_id=item.id, at=now))
                    item.events.append(RequestEvent(kind=EventKind.dispatched, actor=actor, from_status=item.status,
                                                    to_status=item.status, detail=detail))
            printed.append(Printed(handover, department, items))
        db.session.flush()
    except (IntegrityError, StaleDataError):
        # Another organiser printed (a number taken, an entry written) or someone saved an item at
        # the same moment: nothing of this print is kept; printing again finds theirs.
        db.session.rollback()
        raise HandoverRefused("busy") from None
    return printed


def _list_for(fair: Fair, department: Department, actor, now: datetime) -> HandoverList:
    """The department's list of the fair: as first printed, or numbered now. (Locked on PostgreSQL,
    so that a print at the same moment waits and then finds the entries this one writes.)"""
    handover = db.session.scalar(sa.select(HandoverList).where(
        HandoverList.fair_id == fair.id, HandoverList.department_id == department.id).with_for_update())
    if handover is not None:
        handover.prints += 1
        handover.last_printed_at = now
        return handover
    year = local_day(now).year
    seq = (db.session.scalar(sa.select(sa.func.max(HandoverList.seq)).where(HandoverList.year == year)) or 0) + 1
    handover = HandoverList(fair_id=fair.id, department_id=department.id, year=year, seq=seq, first_printed_at=now,
                            first_printed_by=actor, last_printed_at=now, prints=1)
    db.session.add(handover)
    db.session.flush()
    return handover


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
