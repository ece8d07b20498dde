"""The demand ledger's figures (需求台账): plain data for its pages, the dashboard, a reconciliation
round's frozen figures and the bench. Each figure's definition is stated beside it (DEFINITIONS),
and done (办结) and closed out (销号) are never one figure.
"""
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Zone
from kiosk.ledger.models import CloseOutVerdict, Extension, ExtensionStatus
from kiosk.service_requests.models import ServiceRequest, Status, overdue_on_sql, parked_on_sql

#: the states of an item on the ledger: every plan given at a fair, open, done or closed out
LEDGER_STATES = tuple(s for s in Status if s.has_plan)


@dataclass(frozen=True)
class LedgerFigures:
    #: every plan given at a fair: being carried out, done, or closed out
    items: int
    #: planned: being carried out (parked items are counted apart: `parked`)
    open: int
    #: 办结: the department says done, the organisers have not confirmed it
    done: int
    #: 销号: confirmed by an organiser
    closed_out: int
    #: closed out by the original due date (extensions do not count)
    closed_out_on_time: int
    #: closed out after the original due date
    closed_out_late: int
    #: open or done, and past its current due date
    overdue: int
    #: items with at least one extension
    extended_items: int
    #: extensions, all told
    extensions: int
    #: close-outs the company disputed (each went back to its department)
    disputed: int
    #: 挂账: planned and parked today (approved, before its review day): neither open nor overdue
    #: nor done, so that items = open + parked + done + closed_out
    parked: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


#: each figure's definition, shown where the figure is
DEFINITIONS = {
    "items": _l("台账事项：大集现场拿出解决方案的需求，含办理中、挂账、已办结待销号、已销号"),
    "open": _l("办理中：方案落实中，部门尚未申请销号（挂账的另计）"),
    "done": _l("已办结待销号：部门已报办结，组织方尚未确认销号（不计入已销号）"),
    "closed_out": _l("已销号：组织方已确认销号"),
    "closed_out_on_time": _l("按期销号：销号日期不晚于原定完成时限（延期不改变原定时限）"),
    "closed_out_late": _l("逾期销号：销号日期晚于原定完成时限"),
    "overdue": _l("逾期未销号：办理中或已办结待销号，且已过当前完成时限（由日期推算，不存储；挂账的不计）"),
    "parked": _l("挂账：经组织方批准暂缓办理、尚未到复核日期的事项，单独统计，不计逾期、不计办结"),
    "extended_items": _l("延期事项：至少有一次延期经组织方批准的事项"),
    "extensions": _l("延期次数：经组织方批准的延期总次数（待审批和未获批准的申请不计）"),
    "disputed": _l("企业异议：企业对销号结果提出异议、退回部门重办的事项"),
}


def ledger_figures(today: date, *, fair_id: int | None = None, department_id: int | None = None,
                   zone: str | None = None) -> LedgerFigures:
    """The ledger's figures on a day, over every fair or one fair, one department, one zone (by name).

    Two queries over the items in scope: their states and dates (an item was extended when its
    current due date is later than its original one: an extension only ever moves it later), and
    the extensions themselves."""
    on_time = ServiceRequest.closed_out_on <= ServiceRequest.plan_due
    status = ServiceRequest.status
    disputed = sa.select(CloseOutVerdict.request_id).where(sa.not_(CloseOutVerdict.accepted))
    # (a parked item is planned: the moves end a parking when its item leaves planned)
    parked = sa.and_(status == Status.planned, parked_on_sql(today))
    not_parked = sa.or_(ServiceRequest.parked_until.is_(None), ServiceRequest.parked_until <= today)

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    query = (sa.select(
        sa.func.count(),
        count(sa.and_(status == Status.planned, not_parked)), count(status == Status.done),
        count(status == Status.closed_out),
        count(sa.and_(status == Status.closed_out, on_time)),
        count(sa.and_(status == Status.closed_out, sa.not_(on_time))),
        count(overdue_on_sql(today)),
        count(ServiceRequest.current_due > ServiceRequest.plan_due),
        count(ServiceRequest.id.in_(disputed)), count(parked))
        .select_from(ServiceRequest).where(status.in_(LEDGER_STATES)))
    scope = {"fair_id": fair_id, "department_id": department_id, "zone": zone}
    items, open_, done, closed, on_time_n, late, overdue, extended, disputed_n, parked_n = (
        int(n) for n in db.session.execute(_scoped(query, **scope)).one())
    extensions = db.session.execute(_scoped(
        sa.select(sa.func.count(Extension.id)).select_from(Extension)
        .join(ServiceRequest, Extension.request_id == ServiceRequest.id)
        .where(Extension.status == ExtensionStatus.approved), **scope)).scalar_one()  # asked is not extended
    return LedgerFigures(items, open_, done, closed, on_time_n, late, overdue, extended, extensions, disputed_n,
                         parked_n)


def overdue_count(today: date, department_id: int | None = None, fair_id: int | None = None) -> int:
    """What the dashboards show: items open or done past their current due date, by one query on
    the (status, current_due) index (bench/ledger.py measures it at province scale)."""
    query = sa.select(sa.func.count()).select_from(ServiceRequest).where(overdue_on_sql(today))
    if fair_id is not None:
        query = query.where(ServiceRequest.fair_id == fair_id)
    if department_id is not None:
        query = query.join(Booth, ServiceRequest.booth_id == Booth.id).where(Booth.department_id == department_id)
    return db.session.execute(query).scalar_one()


def figures_by_department(today: date, item_ids: list[int] | None = None) -> list[dict]:
    """Per department: the same counts as ledger_figures, for the items given (a round's list) or
    for the whole ledger. Rows as plain dicts, in department name order."""
    status = ServiceRequest.status
    on_time = ServiceRequest.closed_out_on <= ServiceRequest.plan_due

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    parked = sa.and_(status == Status.planned, parked_on_sql(today))
    not_parked = sa.or_(ServiceRequest.parked_until.is_(None), ServiceRequest.parked_until <= today)
    query = (sa.select(Department.name, sa.func.count(), count(sa.and_(status == Status.planned, not_parked)),
                       count(status == Status.done),
                       count(status == Status.closed_out), count(sa.and_(status == Status.closed_out, on_time)),
                       count(overdue_on_sql(today)), count(parked))
             .select_from(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
             .join(Department, Booth.department_id == Department.id)
             .where(status.in_(LEDGER_STATES)).group_by(Department.name).order_by(Department.name))
    if item_ids is not None:
        query = query.where(ServiceRequest.id.in_(item_ids))
    keys = ("department", "items", "open", "done", "closed_out", "closed_out_on_time", "overdue", "parked")
    return [dict(zip(keys, row, strict=True)) for row in db.session.execute(query)]




def _scoped(query, *, fair_id=None, department_id=None, zone=None):
    if fair_id is not None:
        query = query.where(ServiceRequest.fair_id == fair_id)
    if department_id is not None or zone:
        query = query.join(Booth, ServiceRequest.booth_id == Booth.id)
        if department_id is not None:
            query = query.where(Booth.department_id == department_id)
        if zone:
            query = query.join(Zone, Booth.zone_id == Zone.id).where(Zone.name == zone)
    return query
