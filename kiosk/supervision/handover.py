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
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.auth.access import works_on
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import local_day, now_aware
from kiosk.fairs.models import Booth, Department, Fair
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status
from kiosk.supervision.handover_models import HandoverEntry, HandoverList, list_number

#: the states of an item on a handover list: every plan of the fair, whatever became of it since
ON_LIST = tuple(s for s in Status if s.has_plan)
#: the state an item waits for its receipt in: its plan being carried out. One the department
#: recorded done (办结) or an organiser closed out was plainly received; supervision's yellow asks
#: for a receipt of these only (kiosk.supervision.colours)
OPEN = (Status.planned,)

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
                                        to_status=item.status, detail=numbers.get(item.id), created_at=_naive(now)))
    _flush()


def _naive(moment: datetime) -> datetime:
    """A trail event's time: the trail keeps naive UTC, as it always has (kiosk.ledger.moves)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _flush() -> None:
    """The flush is where another's save in between shows (the request's version): nothing kept."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise HandoverRefused("conflict") from None


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
                                                    to_status=item.status, detail=detail, created_at=_naive(now)))
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
