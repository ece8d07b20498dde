"""What a reconciliation round freezes when it closes (kiosk.ledger.rounds): its figures with their
definitions, per department, and every row, all counted from the round's own rows as they stand in
the database, so that they add up."""
import itertools
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.fairs.models import Booth
from kiosk.figures.periods import Period
from kiosk.ledger.models import Mark, ReconciliationRound, RoundItem
from kiosk.service_requests.models import ServiceRequest

#: what each of a round's frozen figures counts: frozen with them (in Chinese, as the round's PDF and
#: XLSX print them), shown beside them
DEFINITIONS = {
    "listed": _l("列入对账：本季度内任何时候未销号的台账事项（季度开始时仍未销号的，以及季度内新拿出解决方案的）"),
    "closed_out": _l("销号：对账结果为销号的事项；结束对账时，这些事项均为已销号"),
    "extended": _l("延期：对账结果为延期的事项，已给出新的完成时限"),
    "open": _l("仍在办理：对账结果为仍在办理的事项"),
    "closed_out_on_time": _l("按原定时限销号：销号日期不晚于大集现场确定的原定完成时限（延期不改变原定时限）"),
    "closed_out_late": _l("晚于原定时限销号：销号中不是按原定时限销号的；与按原定时限销号合计等于销号"),
    "overdue": _l("对账结束时逾期未销号：办理中或已办结待销号，且已过当前完成时限（挂账的不计）"),
    "parked": _l("对账结束时挂账：经组织方批准暂缓办理、尚未到复核日期的事项，单独统计，不计逾期"),
    "extended_items": _l("有延期的事项：至少延期一次的事项"),
    "disputed": _l("企业异议：列入对账的事项中，企业对销号结果提出过异议、退回部门重办的"),
    "completion_rate": _l("完成率：销号 ÷ 列入对账"),
}



def freeze(round_: ReconciliationRound, today: date, *, entries: list[RoundItem] | None = None,
           closed_at: datetime | None = None) -> dict:
    """The round as plain data (JSON): its figures with their definitions, per department, and every
    row, all counted from the same rows, so that they add up. (Every mark holds: close_round checked.)"""
    entries = round_entries(round_) if entries is None else entries
    rows = [_row(e, today) for e in entries]
    marks = {m.value: sum(1 for r in rows if r["mark"] == m.value) for m in Mark}
    on_time = sum(1 for r in rows if r["mark"] == Mark.closed_out.value and r["on_time"] is True)
    with force_locale("zh_CN"):
        definitions = {key: str(text) for key, text in DEFINITIONS.items()}
    ends_on = Period(round_.year, "quarter", round_.quarter).end
    return {
        "round": round_.name, "year": round_.year, "quarter": round_.quarter,
        "starts_on": round_.starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "taken_on": today.isoformat(),
        "closed_at": (closed_at or round_.closed_at or now_aware()).isoformat(timespec="seconds"),
        "figures": {
            "listed": len(rows), **marks,
            "closed_out_on_time": on_time,
            "closed_out_late": marks[Mark.closed_out.value] - on_time,
            "overdue": sum(1 for r in rows if r["overdue"]),
            "parked": sum(1 for r in rows if r.get("parked")),
            "extended_items": sum(1 for r in rows if r["extensions"]),
            "disputed": sum(1 for r in rows if r["disputed"]),
            "completion_rate": marks[Mark.closed_out.value] / len(rows) if rows else None,
        },
        "definitions": definitions,
        "departments": _by_department(rows),
        "rows": rows,
    }


def _by_department(rows: list[dict]) -> list[dict]:
    """Per department, from the round's own rows: the items' states (办理中, 已办结待销号, 已销号, of
    which on time and late), overdue and disputed, in name order."""
    out = []
    for name, group in itertools.groupby(sorted(rows, key=lambda r: r["department"]), key=lambda r: r["department"]):
        group = list(group)
        closed = [r for r in group if r["status"] == "closed_out"]
        on_time = sum(1 for r in closed if r["on_time"] is True)
        out.append({"department": name, "items": len(group),
                    "open": sum(1 for r in group if r["status"] == "planned"),
                    "done": sum(1 for r in group if r["status"] == "done"),
                    "closed_out": len(closed), "closed_out_on_time": on_time, "closed_out_late": len(closed) - on_time,
                    "overdue": sum(1 for r in group if r["overdue"]),
                    "parked": sum(1 for r in group if r.get("parked")),
                    "disputed": sum(1 for r in group if r["disputed"])})
    return out


def disputed(item: ServiceRequest) -> bool:
    return item.verdict is not None and not item.verdict.accepted


def _row(entry: RoundItem, today: date) -> dict:
    item = entry.request
    # A round lists items of every fair, whose tickets repeat: the fair's day and the qualified
    # number tell them apart (a round frozen before they were has the fair's name alone).
    return {"ticket": item.ticket_no, "fair": item.fair.name, "fair_date": item.fair.date.isoformat(),
            "no": item.qualified_no, "department": item.booth.name,
            "company": item.company_name, "category": item.category.value, "need": item.need,
            "unit": item.plan_unit, "person": item.plan_person,
            "plan_due": item.plan_due.isoformat() if item.plan_due else "",
            "due_now": item.due_now.isoformat() if item.due_now else "",
            "extensions": item.extension_count, "status": item.status.value, "overdue": item.overdue_on(today),
            # what the sheet says in place of the status (会后办理); the figures count the status
            "after_close": item.after_close_state,
            "parked": item.parked_on(today),
            "closed_out_on": item.closed_out_on.isoformat() if item.closed_out_on else "",
            "on_time": item.closed_out_on_time, "disputed": disputed(item),
            "mark": entry.mark.value if entry.mark else "", "note": entry.note or "",
            "new_due": entry.new_due.isoformat() if entry.new_due else ""}


def round_entries(round_: ReconciliationRound) -> list[RoundItem]:
    """The round's items with what their rows show, read as they stand now in the database."""
    return db.session.scalars(
        sa.select(RoundItem).where(RoundItem.round_id == round_.id).order_by(RoundItem.id)
        .options(so.joinedload(RoundItem.request).joinedload(ServiceRequest.fair),
                 so.joinedload(RoundItem.request).joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.joinedload(RoundItem.request).selectinload(ServiceRequest.extension_requests),
                 so.joinedload(RoundItem.request).selectinload(ServiceRequest.verdict))
        .execution_options(populate_existing=True)).unique().all()
