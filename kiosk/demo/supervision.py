"""Supervision of last month's plans (会后督办): the handover lists printed the morning after the
close and their receipts (交办, 签收), parked items (挂账), and a supervision notice (督办单) partly
replied to. Real moves of kiosk.supervision."""
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from kiosk.auth.accounts import new_password
from kiosk.auth.models import Role, User
from kiosk.core.extensions import db
from kiosk.demo.last_month import LastMonth
from kiosk.service_requests.after_fair import ParkCause
from kiosk.supervision import notices, parking
from kiosk.supervision.handover import acknowledge_all, record_print
from kiosk.supervision.models import Colour


def _ledger_account_of(department_id: int) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(role=Role.department, department_id=department_id))


def handover(month: LastMonth) -> None:
    """The handover the morning after last month's close (交办): every department's list printed
    at 09:30 in Tai'an (numbered, on each item's trail); each department acknowledged its plans from
    the fair (签收) on its ledger account that day or the next, but for two cases the handover page
    and supervision show: the first department (the demo's ledger account) has acknowledged
    nothing, and nobody has acknowledged the requests handed over at the close (会后办理)."""
    after = month.day + timedelta(days=1)
    record_print(month.past, month.organiser, now=datetime.combine(after, time(1, 30), tzinfo=UTC))
    first = month.ledger_account()
    unknown = User(password_hash="")
    unknown.set_password(new_password())  # (hashed once: their passwords are known to nobody)
    by_department: dict = {}
    for item in month.open_plans():
        if item.booth.department_id != first.department_id and item.handed_over_on is None:
            by_department.setdefault(item.booth.department, []).append(item.id)
    for n, (department, ids) in enumerate(by_department.items()):
        staff = _ledger_account_of(department.id)
        if staff is None:  # its ledger account, as an organiser issues one
            staff = User(username=f"d{department.id}", display_name=f"{department.name}台账专员",
                         role=Role.department, department=department, password_hash=unknown.password_hash)
            db.session.add(staff)
        when = datetime.combine(after + timedelta(days=n % 2), time(2 + n % 6, 10), tzinfo=UTC)
        acknowledge_all(staff, ids, now=when)


def parked_items(month: LastMonth) -> None:
    """Parked items (挂账), so that the ledger's 挂账 tabs and the bottleneck analysis (共性堵点)
    have something to show: an overdue item another department cannot finish without the province,
    parked with an organiser's approval until next month; an item parked for a historical land
    title and resumed when the district cleared it; and the first department's item whose extension
    was refused, now asked to be parked on the company's side, waiting for an organiser."""
    today, organiser = month.today, month.organiser
    open_items = month.open_plans()
    first = month.ledger_account()

    def staff_of(item) -> User:
        return _ledger_account_of(item.booth.department_id)

    others = [item for item in open_items if item.booth.department_id != first.department_id
              and item.handed_over_on is None and item.extension_asked_on is None]
    stuck = next(item for item in others if item.current_due < today)
    parking.ask(stuck, staff_of(stuck), stuck.version, cause=ParkCause.higher_level, today=today,
                explanation="项目用地需调整土地利用总体规划，须报省自然资源厅审批，市级无权限，已行文请示。",
                review_on=today + timedelta(days=30))
    parking.approve(stuck, organiser, stuck.version, note="同意挂账，由市工业推进办协调省厅，复核时报进展。",
                    today=today)
    legacy = next(item for item in others if item is not stuck and item.current_due >= today)
    parking.ask(legacy, staff_of(legacy), legacy.version, cause=ParkCause.legacy, today=today,
                explanation="地块存在2008年遗留的权属争议，需区政府先行处置。", review_on=today + timedelta(days=60))
    parking.approve(legacy, organiser, legacy.version, note=None, today=today)
    parking.resume(legacy, organiser, legacy.version, reason="区政府已完成权属处置，恢复办理。", today=today)
    own = next(item for item in open_items if item.booth.department_id == first.department_id
               and item.current_due > today + timedelta(days=30))
    parking.ask(own, first, own.version, cause=ParkCause.company, today=today,
                explanation="企业调整建设方案，项目暂停，待企业重新提交方案后办理。",
                review_on=today + timedelta(days=45))


def supervision_notice(month: LastMonth) -> None:
    """A supervision notice (督办单) to the first department (the demo's ledger account) about its red
    and yellow items, issued yesterday with a week to reply; the department has replied on the first
    item and not yet on the other, so the notice shows partly replied on its home."""
    staff = month.ledger_account()
    issued = month.today - timedelta(days=1)
    rows, _total = notices.candidates(staff.department_id, {Colour.red, Colour.yellow}, issued)
    chosen = {item.id: item.version for item, _colour, _why in rows}
    notice = notices.issue(staff.department, month.organiser, chosen, reply_by=issued + timedelta(days=7),
                           today=issued,
                           text="请逐项说明逾期或长期无进展的原因、已采取的措施和预计办结时间；确需延期或挂账的，"
                                "按程序申请。", now=datetime.combine(issued, time(7, 0), tzinfo=UTC))
    first = notice.items[0]
    notices.reply(first, staff, first.version,
                  text="已向省自然资源厅行文请示用地预审意见，预计两周内取得，取得后五个工作日内办结。")
