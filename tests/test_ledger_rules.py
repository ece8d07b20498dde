"""The ledger's rules on constructed data with exact figures: overdue is derived from the current due
date, an extension moves that date and never the original, on time is judged against the original,
and done (办结) is never counted as closed out (销号)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.ledger.figures import LedgerFigures, figures_by_department, ledger_figures, overdue_count
from kiosk.ledger.moves import LedgerRefused
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import an_organiser, department_staff, request_in

TODAY = date.today()
#: every plan below was given at the fair due on DUE; the figures are read on DAY, 40 days later
DUE = TODAY + timedelta(days=7)
DAY = DUE + timedelta(days=40)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on that day where the fair is."""
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def extend(item, to: date, reason: str):
    """The department asks, an organiser approves."""
    staff = department_staff(item.booth.department)
    moves.ask_extension(item, staff, item.version, new_due=to, reason=reason, today=TODAY)
    moves.approve_extension(item, an_organiser(), item.version, today=TODAY)
    db.session.commit()


def close_out(item, on: datetime):
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结",
                 evidence="现场核验", now=on - timedelta(hours=2))
    moves.confirm(item, an_organiser(), item.version, now=on)
    db.session.commit()


@pytest.fixture
def ledger(fair):
    """A: open, overdue. B: closed out late after two extensions. C: closed out on time. E: open,
    extended past DAY. F: done but not confirmed, overdue. G: resolved on site, not on the ledger."""
    items = {name: request_in(fair, Status.planned, due=DUE) for name in "ABCEF"}
    request_in(fair, Status.resolved)
    extend(items["B"], DUE + timedelta(days=10), "等待省厅批复")
    extend(items["B"], DUE + timedelta(days=20), "企业补充材料")
    close_out(items["B"], at(DUE + timedelta(days=15)))
    close_out(items["C"], at(DUE - timedelta(days=1)))
    extend(items["E"], DAY + timedelta(days=5), "施工窗口期")
    moves.finish(items["F"], department_staff(items["F"].booth.department), items["F"].version,
                 result="已办结", evidence="", now=at(DUE + timedelta(days=30)))
    db.session.commit()
    return items


def test_the_ledgers_figures_on_constructed_data(ledger):
    assert ledger_figures(DAY) == LedgerFigures(
        items=5, open=2, done=1, closed_out=2, closed_out_on_time=1, closed_out_late=1, overdue=2,
        extended_items=2, extensions=3, disputed=0)
    assert overdue_count(DAY) == 2
    # The day before anything was due, nothing is overdue; on DUE itself still nothing.
    assert ledger_figures(DUE).overdue == 0 and overdue_count(DUE) == 0


def test_an_item_still_open_and_overdue(ledger):
    item = ledger["A"]
    assert item.status is Status.planned and item.due_now == item.plan_due == DUE
    assert item.overdue_on(DAY) and not item.overdue_on(DUE)
    assert item.closed_out_on_time is None and item.extension_count == 0


def test_an_item_closed_out_late_after_two_extensions(ledger):
    item = db.session.get(ServiceRequest, ledger["B"].id)
    assert item.status is Status.closed_out
    assert item.plan_due == DUE  # the original, whatever the extensions
    assert [e.new_due for e in item.extensions] == [DUE + timedelta(days=10), DUE + timedelta(days=20)]
    assert [e.reason for e in item.extensions] == ["等待省厅批复", "企业补充材料"]
    assert item.due_now == item.current_due == DUE + timedelta(days=20)
    assert item.closed_out_on == DUE + timedelta(days=15)
    # Within its extended date, but late against the date given at the fair.
    assert item.closed_out_on_time is False and not item.overdue_on(DAY)


def test_an_item_closed_out_on_time_and_one_extended_past_the_day(ledger):
    assert db.session.get(ServiceRequest, ledger["C"].id).closed_out_on_time is True
    extended = db.session.get(ServiceRequest, ledger["E"].id)
    assert extended.plan_due < DAY < extended.due_now and not extended.overdue_on(DAY)


def test_done_but_not_confirmed_is_overdue_and_never_counted_closed_out(ledger):
    item = db.session.get(ServiceRequest, ledger["F"].id)
    assert item.status.is_done and not item.status.is_closed_out and item.overdue_on(DAY)
    figures = ledger_figures(DAY)
    assert (figures.done, figures.closed_out) == (1, 2)


def test_on_time_is_the_day_where_the_fair_is_not_the_day_in_utc(fair):
    item = request_in(fair, Status.planned, due=DUE)
    # Half past midnight in Tai'an on the day after DUE is still DUE in UTC: late all the same.
    close_out(item, at(DUE + timedelta(days=1), 0, 30))
    item = db.session.get(ServiceRequest, item.id)
    assert item.closed_out_at.date() == DUE and item.closed_out_at.tzinfo is not None
    assert item.closed_out_on == DUE + timedelta(days=1) and item.closed_out_on_time is False


def test_an_extension_must_move_the_date_later_and_not_into_the_past(fair):
    item = request_in(fair, Status.planned, due=DUE)
    staff = department_staff(item.booth.department)
    for new_due, code in ((DUE, "not_later"), (DUE - timedelta(days=1), "not_later")):
        with pytest.raises(LedgerRefused) as refused:
            moves.ask_extension(item, staff, item.version, new_due=new_due, reason="再等等", today=TODAY)
        assert refused.value.code == code
    with pytest.raises(LedgerRefused) as refused:
        moves.ask_extension(item, staff, item.version, new_due=DUE + timedelta(days=3), reason="再等等",
                            today=DUE + timedelta(days=5))
    assert refused.value.code == "past_due"
    assert item.extension_requests == [] and item.due_now == DUE


def test_figures_per_department_count_the_same_items(ledger, fair):
    other = request_in(fair, Status.planned, at="B01", due=DUE)
    rows = {row["department"]: row for row in figures_by_department(DAY)}
    b07 = next(v for k, v in rows.items() if k.endswith("工业和信息化局"))
    b01 = next(v for k, v in rows.items() if k.endswith("自然资源和规划局"))
    assert (b07["items"], b07["open"], b07["done"], b07["closed_out"], b07["closed_out_on_time"], b07["overdue"]) \
        == (5, 2, 1, 2, 1, 2)
    assert (b01["items"], b01["overdue"]) == (1, 1)
    assert ledger_figures(DAY, department_id=other.booth.department_id).items == 1
    assert overdue_count(DAY, department_id=other.booth.department_id) == 1
