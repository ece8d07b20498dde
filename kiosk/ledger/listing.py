"""The ledger's list: every planned item from every fair, filtered and sorted by its current due
date, fifty to a page. Read as plain rows (one SELECT, no objects): a province has some 40,000
items and organisers keep the page open all day."""
import re
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.fairs.models import Booth, Department, Fair, Zone
from kiosk.ledger.figures import LEDGER_STATES
from kiosk.ledger.models import CloseOutVerdict, Extension, ExtensionStatus
from kiosk.service_requests.models import (
    AWAITING_CLOSEOUT,
    Category,
    ServiceRequest,
    Status,
    awaiting_closeout_sql,
    overdue_on_sql,
    parked_on_sql,
)
from kiosk.service_requests.numbers import qualified_no
from kiosk.supervision.colours import BOUND, ColourRules, behind_mask_sql, colour_condition, colour_sql, reasons_of
from kiosk.supervision.models import Colour
from kiosk.supervision.parking_models import Parking, ParkingStatus

PER_PAGE = 50
#: the "due soon" view: open items due within this many days from today
SOON_DAYS = 14

#: the status filter's choices, and the states each shows
STATUS_FILTERS = {
    "awaiting": AWAITING_CLOSEOUT,
    "planned": (Status.planned,),
    "done": (Status.done,),
    "closed_out": (Status.closed_out,),
    "all": LEDGER_STATES,
    # 挂账: parked today (approved, before its review day), and the asks waiting for an organiser
    "parked": (Status.planned,),
    "parking_asked": (Status.planned,),
}
#: the month filter as <input type="month"> sends it: ASCII digits, matched whole (\d would take ２０２６,
#: $ a trailing newline), a year the kiosk's dates can be in (the scoreboard's periods' 2000-2999:
#: 9999-12 would end in year 10000, which Python's dates do not have, and 0000-01 begin in year 0)
_MONTH = re.compile(r"(2[0-9]{3})-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class LedgerFilter:
    fair: int | None = None
    department: int | None = None
    #: by the zone's name, which fairs repeat (金融服务专区)
    zone: str | None = None
    category: Category | None = None
    #: the month the current due date falls in, YYYY-MM
    month: str | None = None
    status: str = "awaiting"
    overdue: bool = False
    #: due within SOON_DAYS from today (open or done)
    soon: bool = False
    #: the company disputed its close-out
    disputed: bool = False
    #: supervision's colour today (三色督办: kiosk.supervision.colours), parked included
    colour: Colour | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "LedgerFilter":
        """From a query string; anything unreadable is left out rather than refused."""
        category = args.get("category")
        month = args.get("month") or None
        status = args.get("status", "awaiting")
        page = int_or_none(args.get("page")) or 1
        return cls(fair=int_or_none(args.get("fair")), department=int_or_none(args.get("department")),
                   zone=(args.get("zone") or "").strip()[:100] or None,
                   category=Category(category) if category in Category._value2member_map_ else None,
                   month=month if month and _MONTH.fullmatch(month) else None,
                   status=status if status in STATUS_FILTERS else "awaiting",
                   overdue=args.get("overdue") == "1", soon=args.get("soon") == "1",
                   disputed=args.get("disputed") == "1", page=min(page, 10_000),
                   colour=Colour(args["colour"]) if args.get("colour") in Colour._value2member_map_ else None)

    def args(self, **changes) -> dict:
        """The query string of this filter (with changes), leaving out what is as by default."""
        changed = replace(self, **changes)
        out = {}
        for f in fields(self):
            value = getattr(changed, f.name)
            if value == f.default:
                continue
            out[f.name] = {True: "1"}.get(value, value.value if isinstance(value, Category | Colour) else value)
        return out


@dataclass(frozen=True)
class LedgerRow:
    id: int
    ticket_no: str
    fair_id: int
    fair_name: str
    department: str
    booth_code: str
    zone: str
    company_name: str
    category: Category
    need: str
    plan_text: str | None
    plan_unit: str | None
    plan_person: str | None
    plan_due: date | None
    current_due: date | None
    status: Status
    extensions: int
    closed_out_on: date | None
    #: the company disputed the close-out
    disputed: bool
    #: 挂账 until this review day (ServiceRequest.parked_until)
    parked_until: date | None
    #: the fair's day: with the fair's name it tells apart tickets that repeat across fairs
    fair_date: date
    #: supervision's colour on the day read (None: not open), and why it is behind, as
    #: kiosk.supervision.colours reads them in SQL (a bit per reason: reasons)
    colour: Colour | None
    behind: int
    #: 会后办理: the day the close handed it over (ServiceRequest.handed_over_on)
    handed_over_on: date | None

    @property
    def after_close_state(self) -> str | None:
        """As ServiceRequest.after_close_state, for a ledger row (never one the close ended):
        "handed_over" while a request handed over at the close waits for its result, else None."""
        return "handed_over" if self.handed_over_on is not None and self.status is Status.planned else None

    @property
    def reasons(self):
        return reasons_of(self.behind)

    @property
    def qualified_no(self) -> str:
        """As ServiceRequest.qualified_no: the ticket with its fair."""
        return qualified_no(self.fair_date, self.fair_id, self.ticket_no)

    def overdue_on(self, day: date) -> bool:
        """As ServiceRequest.overdue_on, from the row's own current due date: a parked item is not."""
        return (self.status.awaits_closeout and self.current_due is not None and self.current_due < day
                and not self.parked_on(day))

    def parked_on(self, day: date) -> bool:
        """As ServiceRequest.parked_on."""
        return self.parked_until is not None and self.parked_until > day


_EXTENSIONS = (sa.select(sa.func.count(Extension.id))  # approved: asked for and refused moved nothing
               .where(Extension.request_id == ServiceRequest.id, Extension.status == ExtensionStatus.approved)
               .correlate(ServiceRequest).scalar_subquery())
_DISPUTED = sa.select(CloseOutVerdict.request_id).where(sa.not_(CloseOutVerdict.accepted))
_COLUMNS = (ServiceRequest.id, ServiceRequest.ticket_no, ServiceRequest.fair_id, Fair.name, Department.name,
            Booth.code, Zone.name, ServiceRequest.company_name, ServiceRequest.category, ServiceRequest.need,
            ServiceRequest.plan_text, ServiceRequest.plan_unit, ServiceRequest.plan_person, ServiceRequest.plan_due,
            ServiceRequest.current_due, ServiceRequest.status, _EXTENSIONS, ServiceRequest.closed_out_on,
            ServiceRequest.id.in_(_DISPUTED), ServiceRequest.parked_until, Fair.date,
            # the day's colour: the statement is built once, its days bound when it runs (ledger_page)
            colour_sql(BOUND), behind_mask_sql(BOUND), ServiceRequest.handed_over_on)


def ledger_page(wanted: LedgerFilter, today: date) -> tuple[list[LedgerRow], int]:
    """One page of rows, by current due date (the most urgent first), and how many match in all.

    The page's ids are picked first, from the indexes alone ((status, current_due), and for a
    department (booth_id, status, current_due)); only those fifty rows are then read whole: sorting
    a department's thousand overdue rows with every column took 7 ms of the page's 8."""
    condition = _condition(wanted, today)
    picked = db.session.scalars(
        _counted(wanted, condition, sa.select(ServiceRequest.id))
        .order_by(ServiceRequest.current_due, ServiceRequest.id)
        .limit(PER_PAGE).offset((wanted.page - 1) * PER_PAGE)).all()
    read = {row.id: LedgerRow(*row) for row in db.session.execute(
        _joined(sa.select(*_COLUMNS)).where(ServiceRequest.id.in_(picked)), ColourRules.on(today).params())
            } if picked else {}
    total = db.session.execute(_counted(wanted, condition)).scalar_one()
    return [read[i] for i in picked], total


def _joined(query):
    return (query.select_from(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
            .join(Department, Booth.department_id == Department.id).join(Fair, ServiceRequest.fair_id == Fair.id)
            .join(Zone, Booth.zone_id == Zone.id))


def _counted(wanted: LedgerFilter, condition, columns=None):
    """The count (or other columns) joining only what the filter needs."""
    query = (columns if columns is not None else sa.select(sa.func.count())).select_from(ServiceRequest)
    if wanted.department is not None or wanted.zone:
        query = query.join(Booth, ServiceRequest.booth_id == Booth.id)
    if wanted.zone:
        query = query.join(Zone, Booth.zone_id == Zone.id)
    return query.where(condition)


def _condition(wanted: LedgerFilter, today: date):
    states = STATUS_FILTERS[wanted.status]
    if wanted.overdue or wanted.soon:
        states = tuple(s for s in states if s in AWAITING_CLOSEOUT)  # a closed-out item is due nowhere
    conditions = [awaiting_closeout_sql() if set(states) == set(AWAITING_CLOSEOUT)
                  else ServiceRequest.status.in_(states)]
    if wanted.overdue:
        conditions.append(overdue_on_sql(today))
    if wanted.soon:
        conditions.append(ServiceRequest.current_due.between(today, today + timedelta(days=SOON_DAYS)))
    if wanted.disputed:
        conditions.append(ServiceRequest.id.in_(_DISPUTED))
    if wanted.colour is not None:
        conditions.append(colour_condition(wanted.colour, ColourRules.on(today)))
    if wanted.status == "parked":
        conditions.append(parked_on_sql(today))
    elif wanted.status == "parking_asked":
        conditions.append(ServiceRequest.id.in_(sa.select(Parking.request_id)
                                                .where(Parking.status == ParkingStatus.asked)))
    if wanted.fair is not None:
        conditions.append(ServiceRequest.fair_id == wanted.fair)
    if wanted.department is not None:
        conditions.append(Booth.department_id == wanted.department)
    if wanted.zone:
        conditions.append(Zone.name == wanted.zone)
    if wanted.category is not None:
        conditions.append(ServiceRequest.category == wanted.category)
    if wanted.month:
        first = date(int(wanted.month[:4]), int(wanted.month[5:]), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        conditions.append(ServiceRequest.current_due >= first)
        conditions.append(ServiceRequest.current_due < following)
    return sa.and_(*conditions)


def filter_choices() -> dict:
    """What the filters offer: fairs (newest first), departments, zone names."""
    return {
        "fairs": db.session.execute(sa.select(Fair.id, Fair.name, Fair.date).order_by(Fair.date.desc(), Fair.id.desc())
                                    ).all(),
        "departments": db.session.execute(sa.select(Department.id, Department.name).order_by(Department.name)).all(),
        "zones": db.session.scalars(sa.select(Zone.name).distinct().order_by(Zone.name)).all(),
    }

