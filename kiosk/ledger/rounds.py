"""Quarterly reconciliation (对账销号): in the first week of a quarter the organisers open a round,
which lists every item open at the quarter's start; they mark each closed out, extended or still
open, with a note, in bulk where the marks agree and one by one where they don't; closing the round
freezes its figures and rows, all or nothing.

A mark is also the move it names, made by the organiser: closed out confirms a done item (an item
closed out since the quarter began is simply recorded); extended extends it; still open writes a
"reconciled" step on its trail. A batch is one unit: if any item refuses, the caller's request
answers 409 and rolls back, so nothing of the batch stays (the commit boundary, kiosk.core.database).
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import now_aware
from kiosk.fairs.models import Booth, Fair
from kiosk.ledger import moves
from kiosk.ledger.figures import LEDGER_STATES, figures_by_department
from kiosk.ledger.models import Mark, ReconciliationRound, RoundItem
from kiosk.service_requests.models import AWAITING_CLOSEOUT, ServiceRequest


class RoundRefused(Refused):
    MESSAGES = {
        "exists": _l("这个季度的对账已经开始过。"),
        "quarter_bad": _l("请选择正确的年份和季度。"),
        "closed": _l("这一轮对账已经结束，数字已冻结，不能再修改。"),
        "conflict": _l("其他组织方刚刚修改了这一轮对账，以下是最新情况，请核对后再提交。"),
        "not_listed": _l("所选事项不在这一轮对账清单中。"),
        "not_done": _l("%(ticket)s：部门尚未报办结，不能销号。请先由部门报办结，或改为延期、仍在办理。"),
        "already_closed": _l("%(ticket)s：已经销号，只能标为销号。"),
        "no_due": _l("延期时请填写新的完成时限。"),
        "item_refused": _l("%(ticket)s：%(why)s"),
        "unmarked": _l("还有 %(n)d 项没有对账结果，全部标记后才能结束对账。"),
    }

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.params = params

    @property
    def message(self):
        return self.MESSAGES[self.code] % self.params if self.params else self.MESSAGES[self.code]


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def open_round(year: int, quarter: int, actor) -> ReconciliationRound:
    """A new round listing every item open at the quarter's start: a plan given at a fair held
    before that day, and not closed out by then (open or done now, or closed out since)."""
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise RoundRefused("quarter_bad")
    if db.session.scalar(sa.select(ReconciliationRound.id).filter_by(year=year, quarter=quarter)) is not None:
        raise RoundRefused("exists")
    starts = quarter_start(year, quarter)
    listed = db.session.scalars(
        sa.select(ServiceRequest.id).join(Fair, ServiceRequest.fair_id == Fair.id)
        .where(Fair.date < starts, ServiceRequest.status.in_(LEDGER_STATES),
               sa.or_(ServiceRequest.status.in_(AWAITING_CLOSEOUT), ServiceRequest.closed_out_on >= starts))
        .order_by(ServiceRequest.current_due, ServiceRequest.id)).all()
    round_ = ReconciliationRound(year=year, quarter=quarter, starts_on=starts, opened_by_id=actor.id,
                                 items=[RoundItem(request_id=request_id) for request_id in listed])
    try:
        db.session.add(round_)
        db.session.flush()
    except IntegrityError:  # another organiser opened it a moment ago
        db.session.rollback()
        raise RoundRefused("exists") from None
    return round_


def mark(round_: ReconciliationRound, version: int, request_ids: list[int], mark_: Mark, note: str, actor, *,
         today: date, new_due: date | None = None) -> list[RoundItem]:
    """One mark for the items given, as one unit: every item takes it, or (RoundRefused) none."""
    if round_.is_closed:
        raise RoundRefused("closed")
    if round_.version != version:
        raise RoundRefused("conflict")
    if mark_ is Mark.extended and new_due is None:
        raise RoundRefused("no_due")
    by_request = {ri.request_id: ri for ri in round_.items}
    if not request_ids or any(r not in by_request for r in request_ids):
        raise RoundRefused("not_listed")
    now = now_aware()
    marked = []
    for request_id in request_ids:
        entry = by_request[request_id]
        _apply(entry.request, mark_, note, actor, today=today, new_due=new_due)
        entry.mark, entry.note, entry.marked_by_id, entry.marked_at = mark_, note, actor.id, now
        entry.new_due = new_due if mark_ is Mark.extended else None
        marked.append(entry)
    _touch(round_)
    return marked


def _apply(item: ServiceRequest, mark_: Mark, note: str, actor, *, today: date, new_due: date | None) -> None:
    """The move a mark names; a refusal names the item, so the meeting knows which one to look at."""
    try:
        if item.status.is_closed_out:
            if mark_ is not Mark.closed_out:
                raise RoundRefused("already_closed", ticket=item.ticket_no)
            return  # closed out since the quarter began: the mark records it
        if mark_ is Mark.closed_out:
            if not item.status.is_done:
                raise RoundRefused("not_done", ticket=item.ticket_no)
            moves.confirm(item, actor, item.version)
        elif mark_ is Mark.extended:
            moves.extend(item, actor, item.version, new_due=new_due, reason=note, today=today)
        else:
            moves.mark_open(item, actor, item.version, note=note)
    except moves.WorkflowError as refused:
        raise RoundRefused("item_refused", ticket=item.ticket_no, why=refused.message) from None


def close_round(round_: ReconciliationRound, version: int, actor, *, today: date) -> ReconciliationRound:
    """Freeze the round: every item must carry a mark; the figures and rows as they stand now are
    kept on the round, and nothing that happens to the items later changes them."""
    if round_.is_closed:
        raise RoundRefused("closed")
    if round_.version != version:
        raise RoundRefused("conflict")
    unmarked = sum(1 for entry in round_.items if entry.mark is None)
    if unmarked:
        raise RoundRefused("unmarked", n=unmarked)
    round_.closed_at, round_.closed_by_id = now_aware(), actor.id
    round_.frozen = freeze(round_, today)
    _touch(round_)
    return round_


def freeze(round_: ReconciliationRound, today: date) -> dict:
    """The round as plain data (JSON): its figures, per department, and every row."""
    entries = _entries(round_)
    marks = {m.value: sum(1 for e in entries if e.mark is m) for m in Mark}
    closed = [e.request for e in entries if e.request.status.is_closed_out]
    rows = [_row(e, today) for e in entries]
    return {
        "round": round_.name, "year": round_.year, "quarter": round_.quarter,
        "starts_on": round_.starts_on.isoformat(), "taken_on": today.isoformat(),
        "closed_at": (round_.closed_at or now_aware()).isoformat(timespec="seconds"),
        "figures": {
            "listed": len(entries), **marks,
            "closed_out_on_time": sum(1 for r in closed if r.closed_out_on_time),
            "closed_out_late": sum(1 for r in closed if r.closed_out_on_time is False),
            "overdue": sum(1 for r in rows if r["overdue"]),
            "extended_items": sum(1 for r in rows if r["extensions"]),
        },
        "departments": figures_by_department(today, [e.request_id for e in entries]),
        "rows": rows,
    }


def _row(entry: RoundItem, today: date) -> dict:
    item = entry.request
    return {"ticket": item.ticket_no, "fair": item.fair.name, "department": item.booth.name,
            "company": item.company_name, "category": item.category.value, "need": item.need,
            "unit": item.plan_unit, "person": item.plan_person,
            "plan_due": item.plan_due.isoformat() if item.plan_due else "",
            "due_now": item.due_now.isoformat() if item.due_now else "",
            "extensions": item.extension_count, "status": item.status.value, "overdue": item.overdue_on(today),
            "mark": entry.mark.value if entry.mark else "", "note": entry.note or "",
            "new_due": entry.new_due.isoformat() if entry.new_due else ""}


def _entries(round_: ReconciliationRound) -> list[RoundItem]:
    return db.session.scalars(
        sa.select(RoundItem).where(RoundItem.round_id == round_.id).order_by(RoundItem.id)
        .options(so.joinedload(RoundItem.request).joinedload(ServiceRequest.fair),
                 so.joinedload(RoundItem.request).joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.joinedload(RoundItem.request).selectinload(ServiceRequest.extensions))).unique().all()


def _touch(round_: ReconciliationRound) -> None:
    """Flush the marks; kiosk.changes moves the round's version with them (a lost race: a conflict)."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise RoundRefused("conflict") from None


@dataclass(frozen=True)
class RoundLine:
    """A round's item as the round's page shows it while the round is open."""
    entry: RoundItem
    item: ServiceRequest


def round_lines(round_: ReconciliationRound) -> list[RoundLine]:
    return [RoundLine(e, e.request) for e in _entries(round_)]


def rounds() -> list[ReconciliationRound]:
    return list(db.session.scalars(sa.select(ReconciliationRound)
                                   .order_by(ReconciliationRound.year.desc(), ReconciliationRound.quarter.desc())))


def counts(round_: ReconciliationRound) -> dict:
    """An open round's progress: listed, and how many carry each mark (or none yet)."""
    rows = db.session.execute(sa.select(RoundItem.mark, sa.func.count()).where(RoundItem.round_id == round_.id)
                              .group_by(RoundItem.mark)).all()
    by = dict(rows)
    return {"listed": sum(by.values()), "unmarked": by.get(None, 0), **{m.value: by.get(m, 0) for m in Mark}}
