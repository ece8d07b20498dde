"""Quarterly reconciliation (对账销号): the organisers open a round for the current quarter or a past
one (never a future one), which lists every item open at any time in that quarter (open at its start,
or planned during it: the current quarter's round can reconcile today's fair); they mark each closed
out, extended or still open, with a note, in bulk where the marks agree and one by one where they
don't; closing the round re-checks every mark against the item's state at that moment and freezes
its figures and rows, all or nothing. Items planned after the round was opened (a fair later in the
quarter) are added to it on request (refresh_list); a round is not closed while one is missing. A
round is deleted only while nothing of it is marked (one opened by mistake, or an empty one).

A mark is also the move it names, made by the organiser: closed out confirms a done item (an item
closed out since the quarter began is simply recorded); extended extends it; still open writes a
"reconciled" step on its trail. A batch is one unit: if any item refuses, the caller's request
answers 409 and rolls back, so nothing of the batch stays (the commit boundary, kiosk.core.database).

A mark can stop being true before the round closes: the company disputes a close-out (the item is
back with its department), or an item marked still open is closed out. Closing refuses then, listing
each such item with its mark and its state now, so that the meeting marks it again: the frozen
figures always add up (listed = closed out + extended + still open; closed out = on time + late).
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import fair_today, now_aware
from kiosk.fairs.models import Fair
from kiosk.figures.periods import Period
from kiosk.ledger import moves
from kiosk.ledger.figures import LEDGER_STATES
from kiosk.ledger.models import Mark, ReconciliationRound, RoundItem
from kiosk.ledger.round_figures import disputed, freeze, round_entries
from kiosk.service_requests.models import AWAITING_CLOSEOUT, ServiceRequest


class RoundRefused(Refused):
    MESSAGES = {
        "exists": _l("这个季度的对账已经开始过。"),
        "quarter_bad": _l("请选择正确的年份和季度。"),
        "future": _l("只能为本季度或已经过去的季度开始对账（本季度是%(year)d年第%(quarter)d季度）。"),
        "closed": _l("这一轮对账已经结束，数字已冻结，不能再修改。"),
        "conflict": _l("其他组织方刚刚修改了这一轮对账，以下是最新情况，请核对后再提交。"),
        "not_listed": _l("所选事项不在这一轮对账清单中。"),
        "not_done": _l("%(ticket)s：部门尚未报办结，不能销号。请先由部门报办结，或改为延期、仍在办理。"),
        "already_closed": _l("%(ticket)s：已经销号，只能标为销号。"),
        "no_due": _l("延期时请填写新的完成时限。"),
        "item_refused": _l("%(ticket)s：%(why)s"),
        "unmarked": _l("还有 %(n)d 项没有对账结果，全部标记后才能结束对账。"),
        "missing": _l("本轮开始后又有 %(n)d 项列入台账（%(tickets)s），请先“更新清单”，标记后再结束对账。"),
        "changed": _l("以下事项在标记后状态有了变化，对账结果已与现状不符，请重新标记后再结束对账：%(changes)s"),
        "marked": _l("这一轮已有事项标记了对账结果，不能删除。"),
    }

    @property
    def message(self):
        params = {k: (v() if callable(v) else v) for k, v in self.params.items()}
        return self.MESSAGES[self.code] % params if params else self.MESSAGES[self.code]


def quarter_start(year: int, quarter: int) -> date:
    return Period(year, "quarter", quarter).start


def quarter_end(year: int, quarter: int) -> date:
    return Period(year, "quarter", quarter).end


def quarter_of(day: date) -> tuple[int, int]:
    quarter = Period.of("quarter", day)
    return quarter.year, quarter.number


def _eligible(year: int, quarter: int):
    """The items open at any time in the quarter, by id: a plan given at a fair held on or before its
    last day, not closed out before its first (open or done now, or closed out since it began)."""
    starts, ends = quarter_start(year, quarter), quarter_end(year, quarter)
    return (sa.select(ServiceRequest.id).join(Fair, ServiceRequest.fair_id == Fair.id)
            .where(Fair.date <= ends, ServiceRequest.status.in_(LEDGER_STATES),
                   sa.or_(ServiceRequest.status.in_(AWAITING_CLOSEOUT), ServiceRequest.closed_out_on >= starts)))


def open_round(year: int, quarter: int, actor, *, today: date | None = None) -> ReconciliationRound:
    """A new round for the current quarter or a past one, listing every item open at any time in it."""
    today = today or fair_today()
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise RoundRefused("quarter_bad")
    if quarter_start(year, quarter) > today:
        now_year, now_quarter = quarter_of(today)
        raise RoundRefused("future", year=now_year, quarter=now_quarter)
    if db.session.scalar(sa.select(ReconciliationRound.id).filter_by(year=year, quarter=quarter)) is not None:
        raise RoundRefused("exists")
    listed = db.session.scalars(_eligible(year, quarter).order_by(ServiceRequest.current_due, ServiceRequest.id)).all()
    round_ = ReconciliationRound(year=year, quarter=quarter, starts_on=quarter_start(year, quarter),
                                 opened_by_id=actor.id,
                                 items=[RoundItem(request_id=request_id) for request_id in listed])
    try:
        db.session.add(round_)
        db.session.flush()
    except IntegrityError:  # another organiser opened it a moment ago
        db.session.rollback()
        raise RoundRefused("exists") from None
    return round_


def missing(round_: ReconciliationRound) -> list[ServiceRequest]:
    """The items open at some time in the round's quarter that it does not list yet: planned after it
    was opened (a fair later in the current quarter), or back with their department since."""
    listed = sa.select(RoundItem.request_id).where(RoundItem.round_id == round_.id)
    ids = _eligible(round_.year, round_.quarter).where(ServiceRequest.id.not_in(listed))
    return list(db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.id.in_(ids))
                                   .order_by(ServiceRequest.current_due, ServiceRequest.id)))


def refresh_list(round_: ReconciliationRound, version: int) -> list[RoundItem]:
    """Add the items the round is missing (unmarked): the list is the quarter's again."""
    _still_open(round_, version)
    added = [RoundItem(request_id=item.id) for item in missing(round_)]
    round_.items.extend(added)
    _touch(round_)
    return added


def delete_round(round_: ReconciliationRound, version: int) -> None:
    """A round nothing of which is marked goes, as if never opened (its quarter may be opened again)."""
    _still_open(round_, version)
    if any(entry.mark is not None for entry in round_.items):
        raise RoundRefused("marked")
    db.session.delete(round_)
    try:
        db.session.flush()
    except StaleDataError:  # marked or closed a moment ago
        db.session.rollback()
        raise RoundRefused("conflict") from None


def _still_open(round_: ReconciliationRound, version: int) -> None:
    if round_.is_closed:
        raise RoundRefused("closed")
    if round_.version != version:
        raise RoundRefused("conflict")


def mark(round_: ReconciliationRound, version: int, request_ids: list[int], mark_: Mark, note: str, actor, *,
         today: date, new_due: date | None = None) -> list[RoundItem]:
    """One mark for the items given, as one unit: every item takes it, or (RoundRefused) none."""
    _still_open(round_, version)
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
                raise RoundRefused("already_closed", ticket=item.qualified_no)
            return  # closed out since the quarter began: the mark records it
        if mark_ is Mark.closed_out:
            if not item.status.is_done:
                raise RoundRefused("not_done", ticket=item.qualified_no)
            moves.confirm(item, actor, item.version)
        elif mark_ is Mark.extended:
            moves.extend(item, actor, item.version, new_due=new_due, reason=note, today=today)
        else:
            moves.mark_open(item, actor, item.version, note=note)
    except moves.WorkflowError as refused:
        raise RoundRefused("item_refused", ticket=item.qualified_no, why=refused.message) from None


def holds(entry: RoundItem) -> bool:
    """Whether an item's mark is still true of it: closed out only while it is closed out; extended or
    still open only while it is open (planned, or done and not yet confirmed). Unmarked: nothing to hold."""
    if entry.mark is None:
        return True
    if entry.mark is Mark.closed_out:
        return entry.request.status.is_closed_out
    return entry.request.status.awaits_closeout


def _changes(entries: list[RoundItem]):
    """What closing says of the marks that no longer hold: each item, its mark and its state now
    (and whether the company disputed its close-out), read out in the language of whoever is told."""
    def told() -> str:
        return "；".join(
            str(_l("%(ticket)s 标为“%(mark)s”，现为“%(status)s”", ticket=e.request.qualified_no, mark=e.mark.label,
                   status=e.request.shown_status_label))
            + (str(_l("（企业对销号提出异议）")) if disputed(e.request) else "") for e in entries)
    return told


def close_round(round_: ReconciliationRound, version: int, actor, *, today: date) -> ReconciliationRound:
    """Freeze the round: every item must carry a mark that still holds, and every item of the quarter
    must be listed; the figures and rows as they stand now are kept on the round, and nothing that
    happens to the items later changes them. The round's row is written once, version-checked: of
    two organisers closing at once, the second is told it changed (a conflict), never a 500."""
    _still_open(round_, version)
    entries = round_entries(round_)
    unmarked = sum(1 for entry in entries if entry.mark is None)
    if unmarked:
        raise RoundRefused("unmarked", n=unmarked)
    if absent := missing(round_):
        raise RoundRefused("missing", n=len(absent), tickets="、".join(item.qualified_no for item in absent[:20])
                           + ("…" if len(absent) > 20 else ""))
    if changed := [entry for entry in entries if not holds(entry)]:
        raise RoundRefused("changed", changes=_changes(changed))
    closed_at = now_aware()
    frozen = freeze(round_, today, entries=entries, closed_at=closed_at)
    round_.closed_at, round_.closed_by_id, round_.frozen = closed_at, actor.id, frozen
    _touch(round_)
    return round_


def _touch(round_: ReconciliationRound) -> None:
    """Flush the round and its marks; the round's row is version-checked (kiosk.changes moves the
    version with any mark): one that another organiser changed a moment ago is a conflict."""
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

    @property
    def holds(self) -> bool:
        """False: its mark is no longer true of it (the company disputed it, say): to be marked again."""
        return holds(self.entry)


def round_lines(round_: ReconciliationRound) -> list[RoundLine]:
    return [RoundLine(e, e.request) for e in round_entries(round_)]


def rounds() -> list[ReconciliationRound]:
    return list(db.session.scalars(sa.select(ReconciliationRound)
                                   .order_by(ReconciliationRound.year.desc(), ReconciliationRound.quarter.desc())))


def counts(round_: ReconciliationRound) -> dict:
    """An open round's progress: listed, and how many carry each mark (or none yet)."""
    rows = db.session.execute(sa.select(RoundItem.mark, sa.func.count()).where(RoundItem.round_id == round_.id)
                              .group_by(RoundItem.mark)).all()
    by = dict(rows)
    return {"listed": sum(by.values()), "unmarked": by.get(None, 0), **{m.value: by.get(m, 0) for m in Mark}}
