"""Last month's plans on the ledger after the fair: closed out on time and late, extended, done and
awaiting confirmation, open and overdue, due within 14 days, one the company disputed; and the
extensions asked for and decided (延期审批). Every step is a real move (kiosk.ledger.moves) dated
when it would have happened."""
from datetime import UTC, date, datetime, time, timedelta

from kiosk.core.extensions import db
from kiosk.demo.last_month import LastMonth
from kiosk.ledger import moves


def _on(day: date) -> datetime:
    """10:00 in Tai'an on that day."""
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def plans_after_the_fair(month: LastMonth) -> None:
    """Each plan's story (kiosk.demo.last_month.STORIES) played out, then the companies' verdicts
    on the two closed out on time and disputed."""
    day, today, organiser = month.day, month.today, month.organiser

    def at(offset_days: int) -> datetime:  # that many days after the fair
        return _on(day + timedelta(days=offset_days))

    def due(item, when: date) -> None:
        item.plan_due = item.current_due = when

    span = (today - day).days  # 16 to 46 days
    for story, item in month.plans:
        if story in ("on_time", "disputed"):
            due(item, day + timedelta(days=10))
            moves.finish(item, organiser, item.version, result="已按方案办结，相关手续已办理完毕。",
                         evidence="批复文件已送达企业", now=at(6))
            moves.confirm(item, organiser, item.version, now=at(7))
        elif story == "late":
            due(item, day + timedelta(days=5))
            moves.extend(item, organiser, item.version, new_due=day + timedelta(days=9), reason="等待省级部门批复",
                         today=day + timedelta(days=4), now=at(4))
            moves.extend(item, organiser, item.version, new_due=day + timedelta(days=13), reason="企业补充材料",
                         today=day + timedelta(days=8), now=at(8))
            moves.finish(item, organiser, item.version, result="批复已下达，已办结。",
                         evidence="批复文号 泰政字〔2026〕8号", now=at(12))
            moves.confirm(item, organiser, item.version, now=at(14))
        elif story == "done":
            due(item, today + timedelta(days=10))
            moves.finish(item, organiser, item.version, result="已完成现场踏勘并出具书面意见。", evidence="踏勘记录",
                         now=at(span - 1))
        elif story == "overdue":
            due(item, today - timedelta(days=3))
        elif story == "extended":
            due(item, today - timedelta(days=2))
            moves.extend(item, organiser, item.version, new_due=today + timedelta(days=20), reason="待规划调整方案批复",
                         today=today - timedelta(days=3), now=at(span - 3))
        else:
            due(item, today + timedelta(days=6 if story == "soon" else 40))
    db.session.flush()
    for story, item in month.plans:
        if story == "on_time":
            moves.company_verdict(item, accepted=True, rating=5, words=None)
        elif story == "disputed":
            moves.company_verdict(item, accepted=False, rating=2, words="用地手续只办了一半，土地证还没有拿到。")


def extension_requests(month: LastMonth) -> None:
    """Extensions asked for and decided (延期审批) on last month's plans: the first department's
    account has asked for one on its overdue item, waiting for an organiser; it asked for one on its
    item not yet due and was refused, with the reason it reads; and the item already extended once is
    extended a second time, flagged as such."""
    today, organiser = month.today, month.organiser
    staff = month.ledger_account()
    open_items = month.open_plans()
    own = [item for item in open_items if item.booth.department_id == staff.department_id]
    overdue = next(item for item in own if item.current_due < today)
    later = next(item for item in own if item.current_due > today + timedelta(days=30))
    once = next(item for item in open_items if item.extension_count == 1)
    asked_on = today - timedelta(days=6)
    moves.ask_extension(later, staff, later.version, new_due=later.current_due + timedelta(days=60),
                        reason="企业调整建设方案，需重新编制供地方案", today=asked_on, now=_on(asked_on))
    moves.refuse_extension(later, organiser, later.version, now=_on(asked_on + timedelta(days=1)),
                           reason="调整方案不影响现有地块供地，请按原定时限推进；确需延期请附企业书面申请。")
    moves.extend(once, organiser, once.version, new_due=once.current_due + timedelta(days=15),
                 reason="规划调整方案仍在公示期，公示结束后办理", today=today - timedelta(days=2),
                 now=_on(today - timedelta(days=2)))
    moves.ask_extension(overdue, staff, overdue.version, new_due=today + timedelta(days=14),
                        reason="需省自然资源厅出具用地预审意见，已行文请示", today=today - timedelta(days=1),
                        now=_on(today - timedelta(days=1)))
