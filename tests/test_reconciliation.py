"""Quarterly reconciliation (对账销号): a round lists what was open at the quarter's start; marks are
made in bulk or one by one, and a batch that fails part-way leaves nothing changed; closing freezes
the round's figures, which later moves never change, in its page, PDF and XLSX."""
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.ledger.models import Mark, ReconciliationRound, RoundItem
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import an_organiser, department_staff, request_in
from tests.helpers import csrf_token, login, pdf_text

DUE = date.today() + timedelta(days=10)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def closed_on(fair, day: date) -> ServiceRequest:
    item = request_in(fair, Status.done, due=DUE)
    moves.confirm(item, an_organiser(), item.version, now=datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))
    db.session.commit()
    return item


@pytest.fixture
def items(fair, organiser):
    """At a fair on 2026-06-13: two open, two done, one closed out before 1 July and one after, one
    resolved on site."""
    made = {"P1": request_in(fair, Status.planned, due=DUE), "P2": request_in(fair, Status.planned, due=DUE),
            "D1": request_in(fair, Status.done, due=DUE), "D2": request_in(fair, Status.done, due=DUE, at="B01"),
            "before": closed_on(fair, date(2026, 6, 20)), "after": closed_on(fair, date(2026, 7, 5)),
            "resolved": request_in(fair, Status.resolved)}
    return made


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def the_round() -> ReconciliationRound:
    db.session.expire_all()
    return db.session.scalars(db.select(ReconciliationRound)).one()


def mark(client, round_id, ids, mark_, note, new_due=None):
    page = client.get(f"/ledger/rounds/{round_id}").get_data(as_text=True)
    shown = re.search(r'name="version"[^>]*value="(\d+)"', page)
    version = shown.group(1) if shown else "1"  # (a closed round's page has no form)
    data = {"csrf_token": csrf_token(client, f"/ledger/rounds/{round_id}"), "version": version,
            "items": [str(i) for i in ids], "mark": mark_, "note": note}
    if new_due:
        data["new_due"] = new_due.isoformat()
    return client.post(f"/ledger/rounds/{round_id}/marks", data=data)


def test_a_round_lists_every_item_open_at_the_quarters_start(app, items, organiser):
    boss = login(app.test_client(), organiser.username)
    opened = boss.post("/ledger/rounds", data={"csrf_token": csrf_token(boss, "/ledger/rounds"),
                                               "year": "2026", "quarter": "3"})
    assert opened.status_code == 303
    listed = {entry.request_id for entry in the_round().items}
    assert listed == {items[k].id for k in ("P1", "P2", "D1", "D2", "after")}
    again = boss.post("/ledger/rounds", data={"csrf_token": csrf_token(boss, "/ledger/rounds"),
                                              "year": "2026", "quarter": "3"})
    assert again.status_code == 409 and "已经开始过" in again.get_data(as_text=True)


def test_a_batch_that_fails_part_way_leaves_nothing_changed(app, items, organiser):
    boss = login(app.test_client(), organiser.username)
    boss.post("/ledger/rounds", data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "year": "2026", "quarter": "3"})
    round_ = the_round()
    trails = {k: len(fresh(items[k]).events) for k in ("D1", "D2", "P1")}
    # D1 and D2 can be closed out; P1 was never reported done: the whole batch is refused.
    answer = mark(boss, round_.id, [items["D1"].id, items["D2"].id, items["P1"].id], "closed_out", "季度会议确认")
    assert answer.status_code == 409
    assert f"{items['P1'].ticket_no}：部门尚未报办结" in answer.get_data(as_text=True)
    assert all(fresh(items[k]).status is Status.done for k in ("D1", "D2"))
    assert {k: len(fresh(items[k]).events) for k in trails} == trails
    assert all(entry.mark is None for entry in the_round().items)
    assert the_round().version == round_.version


def test_marks_in_bulk_and_one_by_one_then_the_close_freezes_the_figures(app, items, organiser):
    boss = login(app.test_client(), organiser.username)
    boss.post("/ledger/rounds", data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "year": "2026", "quarter": "3"})
    round_id = the_round().id
    assert mark(boss, round_id, [items[k].id for k in ("D1", "D2", "after")], "closed_out", "已核实").status_code == 303
    assert fresh(items["D1"]).status is Status.closed_out and fresh(items["D1"]).events[-1].kind is EventKind.closed_out
    assert mark(boss, round_id, [items["P1"].id], "extended", "等待省厅批复", DUE + timedelta(days=30)).status_code == 303
    extended = fresh(items["P1"])
    assert extended.due_now == DUE + timedelta(days=30) and extended.plan_due == DUE
    assert extended.extensions[-1].reason == "等待省厅批复"
    # Not everything is marked: the round does not close, and nothing of it is frozen.
    version = the_round().version
    refused = boss.post(f"/ledger/rounds/{round_id}/close",
                        data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "version": version})
    assert refused.status_code == 409 and "还有 1 项" in refused.get_data(as_text=True)
    assert the_round().frozen is None and the_round().closed_at is None
    assert mark(boss, round_id, [items["P2"].id], "open", "正在办理用地手续").status_code == 303
    assert fresh(items["P2"]).events[-1].kind is EventKind.reconciled
    boss.post(f"/ledger/rounds/{round_id}/close",
              data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "version": the_round().version})
    frozen = the_round().frozen
    assert {k: frozen["figures"][k] for k in ("listed", "closed_out", "extended", "open", "closed_out_on_time",
                                              "closed_out_late", "overdue", "extended_items")} == {
        "listed": 5, "closed_out": 3, "extended": 1, "open": 1, "closed_out_on_time": 3, "closed_out_late": 0,
        "overdue": 0, "extended_items": 1}
    pdf_before = pdf_text(boss.get(f"/ledger/rounds/{round_id}/pdf").data)
    xlsx_before = boss.get(f"/ledger/rounds/{round_id}/xlsx").data
    page_before = re.findall(r'id="frozen-(\w+)">(\d+)<', boss.get(f"/ledger/rounds/{round_id}").get_data(as_text=True))

    # Later the items move: P2 is done and closed out, P1 extended again. The round stays as it was.
    p2 = fresh(items["P2"])
    moves.finish(p2, department_staff(p2.booth.department), p2.version, result="已办结", evidence="证照")
    moves.confirm(p2, organiser, p2.version)
    p1 = fresh(items["P1"])
    moves.extend(p1, organiser, p1.version, new_due=DUE + timedelta(days=60), reason="再延期", today=date.today())
    db.session.commit()
    assert the_round().frozen == frozen
    assert pdf_text(boss.get(f"/ledger/rounds/{round_id}/pdf").data) == pdf_before
    assert re.findall(r'id="frozen-(\w+)">(\d+)<', boss.get(f"/ledger/rounds/{round_id}").get_data(as_text=True)) \
        == page_before
    after = load_workbook(io.BytesIO(boss.get(f"/ledger/rounds/{round_id}/xlsx").data))
    before = load_workbook(io.BytesIO(xlsx_before))
    assert [[c.value for c in row] for row in after["事项"].iter_rows()] == \
        [[c.value for c in row] for row in before["事项"].iter_rows()]
    # A closed round takes no more marks.
    assert mark(boss, round_id, [items["P1"].id], "open", "再看看").status_code == 409


def test_the_frozen_round_on_paper_and_in_the_spreadsheet(app, items, organiser):
    from kiosk.ledger import rounds as rules

    round_ = rules.open_round(2026, 3, organiser)
    rules.mark(round_, round_.version, [items["D1"].id, items["D2"].id, items["after"].id], Mark.closed_out, "已核实",
               organiser, today=date.today())
    rules.mark(round_, round_.version, [items["P1"].id, items["P2"].id], Mark.open, "推进中", organiser,
               today=date.today())
    rules.close_round(round_, round_.version, organiser, today=date.today())
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    text = pdf_text(boss.get(f"/ledger/rounds/{round_.id}/pdf").data)
    assert "2026Q3 需求台账季度对账销号" in text  # Chinese renders (the bundled font)
    assert all(items[k].ticket_no in text for k in ("P1", "P2", "D1", "D2", "after"))
    book = load_workbook(io.BytesIO(boss.get(f"/ledger/rounds/{round_.id}/xlsx").data))
    rows = list(book["事项"].iter_rows(values_only=True))
    assert rows[0][0] == "需求编号" and len(rows) == 6
    marks = {row[0]: row[13] for row in rows[1:]}
    assert marks[items["P1"].ticket_no] == "仍在办理" and marks[items["D1"].ticket_no] == "销号"
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert summary["列入对账"] == 5 and summary["销号"] == 3


def test_two_organisers_marking_at_once_the_second_is_told(app, items, organiser):
    from kiosk.ledger import rounds as rules

    round_ = rules.open_round(2026, 3, organiser)
    seen = round_.version
    rules.mark(round_, seen, [items["P1"].id], Mark.open, "推进中", organiser, today=date.today())
    db.session.commit()
    with pytest.raises(rules.RoundRefused) as refused:
        rules.mark(round_, seen, [items["P2"].id], Mark.open, "推进中", organiser, today=date.today())
    assert refused.value.code == "conflict"
    assert db.session.get(RoundItem, round_.items[1].id).mark is None
