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
    assert mark(boss, round_id, [items["P1"].id], "extended", "等待省厅批复",
                DUE + timedelta(days=30)).status_code == 303
    extended = fresh(items["P1"])
    assert extended.due_now == DUE + timedelta(days=30) and extended.plan_due == DUE
    assert extended.extensions[-1].reason == "等待省厅批复"
    # Not everything is marked: the round does not close, and nothing of it is frozen.
    version = the_round().version
    refused = boss.post(f"/ledger/rounds/{round_id}/close",
                        data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "version": version, "confirmed": "yes"})
    assert refused.status_code == 409 and "还有 1 项" in refused.get_data(as_text=True)
    assert the_round().frozen is None and the_round().closed_at is None
    assert mark(boss, round_id, [items["P2"].id], "open", "正在办理用地手续").status_code == 303
    assert fresh(items["P2"]).events[-1].kind is EventKind.reconciled
    boss.post(f"/ledger/rounds/{round_id}/close",
              data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "version": the_round().version,
                    "confirmed": "yes"})
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


# --- Two organisers close the same round at once ------------------------------------------------

def test_two_organisers_closing_at_once_the_second_is_told_it_changed(app, items, organiser, monkeypatch):
    """The second close reads the round before the first one commits and writes after it: it is
    told the round changed (409, the round as it now stands), never a 500."""
    import threading

    from kiosk.auth.models import Role, User
    from kiosk.ledger import rounds as rules
    from tests.factories import PASSWORD_HASH

    round_ = rules.open_round(2026, 3, organiser, today=date(2026, 12, 7))
    rules.mark(round_, round_.version, [items[k].id for k in ("D1", "D2", "after")], Mark.closed_out, "已核实",
               organiser, today=date.today())
    rules.mark(round_, round_.version, [items["P1"].id, items["P2"].id], Mark.open, "推进中", organiser,
               today=date.today())
    db.session.add(User(username="organiser2", display_name="市工业推进办二", role=Role.organiser,
                        password_hash=PASSWORD_HASH))
    db.session.commit()
    url, page = f"/ledger/rounds/{round_.id}/close", f"/ledger/rounds/{round_.id}"
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an escaped error is the 500 page
    first, second = login(app.test_client(), organiser.username), login(app.test_client(), "organiser2")
    sent = {client: {"csrf_token": csrf_token(client, page), "version": round_.version, "confirmed": "yes"}
            for client in (first, second)}
    answers = []
    freeze = rules.freeze

    def the_first_closes_meanwhile(*args, **kwargs):
        monkeypatch.setattr(rules, "freeze", freeze)
        meanwhile = threading.Thread(target=lambda: answers.append(first.post(url, data=sent[first])))
        meanwhile.start()
        meanwhile.join()
        return freeze(*args, **kwargs)

    monkeypatch.setattr(rules, "freeze", the_first_closes_meanwhile)
    late = second.post(url, data=sent[second])
    assert [a.status_code for a in answers] == [303]
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "其他组织方刚刚修改了这一轮对账" in text and "以下数字已冻结" in text
    closed = the_round()
    assert closed.closed_by_id == organiser.id and closed.frozen["figures"]["listed"] == 5


# --- Which quarters, which items ------------------------------------------------------------------

def test_rounds_only_for_the_current_quarter_and_past_ones(app, items, organiser):
    from kiosk.ledger import rounds as rules

    with pytest.raises(rules.RoundRefused) as refused:
        rules.open_round(2026, 4, organiser, today=date(2026, 9, 30))
    assert refused.value.code == "future" and refused.value.params == {"year": 2026, "quarter": 3}
    with pytest.raises(rules.RoundRefused):
        rules.open_round(2033, 4, organiser, today=date(2026, 12, 7))
    # Through the page, on today's date: next quarter is refused, and nothing is kept.
    boss = login(app.test_client(), organiser.username)
    today = date.today()
    year, quarter = (today.year, today.month // 3 + 2) if today.month <= 9 else (today.year + 1, 1)
    answer = boss.post("/ledger/rounds", data={"csrf_token": csrf_token(boss, "/ledger/rounds"),
                                               "year": str(year), "quarter": str(quarter)})
    assert answer.status_code == 409 and "只能为本季度或已经过去的季度开始对账" in answer.get_data(as_text=True)
    assert db.session.scalars(db.select(ReconciliationRound)).all() == []


def test_the_current_quarters_round_lists_the_items_planned_during_it(app, items, organiser):
    """The fair was held on 13 June: the round of the second quarter, opened a week later, reconciles it."""
    from kiosk.ledger import rounds as rules

    round_ = rules.open_round(2026, 2, organiser, today=date(2026, 6, 20))
    listed = {entry.request_id for entry in round_.items}
    assert listed == {items[k].id for k in ("P1", "P2", "D1", "D2", "before", "after")}
    assert items["resolved"].id not in listed  # resolved on site: never on the ledger


def test_a_round_lists_what_was_planned_later_in_its_quarter_before_it_closes(app, items, organiser):
    from kiosk.ledger import rounds as rules
    from tests.factories import make_fair

    round_ = rules.open_round(2026, 3, organiser, today=date(2026, 9, 1))
    rules.mark(round_, round_.version, [items[k].id for k in ("D1", "D2", "after")], Mark.closed_out, "已核实",
               organiser, today=date.today())
    rules.mark(round_, round_.version, [items["P1"].id, items["P2"].id], Mark.open, "推进中", organiser,
               today=date.today())
    db.session.commit()
    # A fair later in the quarter: its plans were open in the quarter too.
    later = make_fair(name="九月要素保障大集", prefix="sep-")
    later.date = date(2026, 9, 12)
    new = request_in(later, Status.planned, due=DUE)
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    page = boss.get(f"/ledger/rounds/{round_.id}").get_data(as_text=True)
    assert "本轮开始后又有 1 项列入台账" in page and new.ticket_no in page
    closing = boss.post(f"/ledger/rounds/{round_.id}/close", data={
        "csrf_token": csrf_token(boss, f"/ledger/rounds/{round_.id}"), "version": the_round().version,
        "confirmed": "yes"})
    assert closing.status_code == 409 and "请先“更新清单”" in closing.get_data(as_text=True)
    assert the_round().closed_at is None
    refreshed = boss.post(f"/ledger/rounds/{round_.id}/refresh", data={
        "csrf_token": csrf_token(boss, f"/ledger/rounds/{round_.id}"), "version": the_round().version})
    assert refreshed.status_code == 303
    assert new.id in {entry.request_id for entry in the_round().items}
    assert "本轮开始后又有" not in boss.get(f"/ledger/rounds/{round_.id}").get_data(as_text=True)


def test_an_empty_round_says_so_and_is_deleted_while_nothing_is_marked(app, items, organiser):
    """The first quarter ended before the June fair: nothing of it was open then."""
    from kiosk.ledger import rounds as rules

    empty = rules.open_round(2026, 1, organiser, today=date(2026, 12, 7))
    db.session.commit()
    assert empty.items == []
    db.session.expunge(empty)
    boss = login(app.test_client(), organiser.username)
    page = boss.get(f"/ledger/rounds/{empty.id}").get_data(as_text=True)
    assert "这一轮没有需要对账的事项" in page and "删除这一轮对账" in page
    url = f"/ledger/rounds/{empty.id}/delete"
    unticked = boss.post(url, data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "version": empty.version})
    assert unticked.status_code == 422 and "还没有勾选确认" in unticked.get_data(as_text=True)
    assert db.session.get(ReconciliationRound, empty.id) is not None
    gone = boss.post(url, data={"csrf_token": csrf_token(boss, "/ledger/rounds"), "version": empty.version,
                                "confirmed": "yes"})
    assert gone.status_code == 303 and gone.headers["Location"].endswith("/ledger/rounds")
    assert db.session.scalars(db.select(ReconciliationRound)).all() == []
    # A round with a mark stays.
    marked = rules.open_round(2026, 3, organiser, today=date(2026, 12, 7))
    rules.mark(marked, marked.version, [items["P1"].id], Mark.open, "推进中", organiser, today=date.today())
    db.session.commit()
    assert "删除这一轮对账" not in boss.get(f"/ledger/rounds/{marked.id}").get_data(as_text=True)
    refused = boss.post(f"/ledger/rounds/{marked.id}/delete", data={
        "csrf_token": csrf_token(boss, "/ledger/rounds"), "version": the_round().version, "confirmed": "yes"})
    assert refused.status_code == 409 and "不能删除" in refused.get_data(as_text=True)
    assert the_round().id == marked.id


# --- A frozen round never contradicts itself --------------------------------------------------------

def test_closing_rechecks_every_mark_and_the_frozen_figures_add_up(app, items, organiser):
    """Two items marked closed out; the company disputes one; the close refuses, naming it; marked
    again, the round closes with figures that add up, the disputed count and the completion rate."""
    from kiosk.ledger import rounds as rules

    round_ = rules.open_round(2026, 3, organiser, today=date(2026, 12, 7))
    rules.mark(round_, round_.version, [items[k].id for k in ("D1", "D2", "after")], Mark.closed_out, "已核实",
               organiser, today=date.today())
    rules.mark(round_, round_.version, [items["P1"].id, items["P2"].id], Mark.open, "推进中", organiser,
               today=date.today())
    db.session.commit()
    company = app.test_client()
    disputed = fresh(items["D1"])
    dispute = company.post(f"/t/{disputed.token}/verdict", data={
        "csrf_token": csrf_token(company, f"/t/{disputed.token}"), "accepted": "no", "rating": "2",
        "words": "土地证还没有拿到"})
    assert dispute.status_code == 303 and fresh(items["D1"]).status is Status.planned

    boss = login(app.test_client(), organiser.username)
    page_url = f"/ledger/rounds/{round_.id}"
    page = boss.get(page_url).get_data(as_text=True)
    assert "状态已变，需重新标记" in page and "1 项在标记后状态有了变化" in page
    closing = boss.post(f"{page_url}/close", data={"csrf_token": csrf_token(boss, page_url),
                                                   "version": the_round().version, "confirmed": "yes"})
    told = closing.get_data(as_text=True)
    assert closing.status_code == 409
    assert f"{disputed.ticket_no} 标为“销号”，现为“已拿出解决方案”（企业对销号提出异议）" in told
    assert the_round().frozen is None and the_round().closed_at is None
    # "Select what is still to be marked" ticks it alone; marked still open, the round closes.
    selected = boss.post(f"{page_url}/marks", data={"csrf_token": csrf_token(boss, page_url), "select": "unmarked",
                                                    "version": the_round().version, "note": ""})
    assert re.findall(r'name="items" value="(\d+)"[^>]*checked', selected.get_data(as_text=True)) == [str(disputed.id)]
    assert mark(boss, round_.id, [disputed.id], "open", "企业有异议，继续办理").status_code == 303
    closed = boss.post(f"{page_url}/close", data={"csrf_token": csrf_token(boss, page_url),
                                                  "version": the_round().version, "confirmed": "yes"})
    assert closed.status_code == 303
    frozen = the_round().frozen
    fig = frozen["figures"]
    assert fig["listed"] == fig["closed_out"] + fig["extended"] + fig["open"] == 5
    assert fig["closed_out"] == fig["closed_out_on_time"] + fig["closed_out_late"] == 2
    assert fig["disputed"] == 1 and fig["completion_rate"] == pytest.approx(2 / 5)
    assert set(frozen["definitions"]) >= {"listed", "closed_out", "closed_out_late", "disputed", "completion_rate"}
    for row in frozen["rows"]:
        assert (row["mark"] == "closed_out") is (row["status"] == "closed_out")
    departments = frozen["departments"]
    assert sum(d["items"] for d in departments) == fig["listed"]
    assert sum(d["closed_out"] for d in departments) == fig["closed_out"]
    assert all(d["items"] == d["open"] + d["done"] + d["closed_out"] for d in departments)
    assert all(d["closed_out"] == d["closed_out_on_time"] + d["closed_out_late"] for d in departments)
    # The page, the PDF and the spreadsheet say the same.
    page = boss.get(page_url).get_data(as_text=True)
    shown = dict(re.findall(r'id="frozen-(\w+)">([^<]+)<', page))
    assert shown["closed_out"] == "2" and shown["closed_out_on_time"] == "2" and shown["closed_out_late"] == "0"
    assert shown["disputed"] == "1" and shown["completion_rate"] == "40%"
    assert "完成率：销号 ÷ 列入对账" in page
    text = pdf_text(boss.get(f"{page_url}/pdf").data)
    assert "企业异议" in text and "40%" in text and "完成率：销号 ÷ 列入对账" in text.replace("\n", "")
    book = load_workbook(io.BytesIO(boss.get(f"{page_url}/xlsx").data))
    rows = list(book["事项"].iter_rows(values_only=True))
    header = rows[0]
    status_at, mark_at = header.index("状态"), header.index("对账结果")
    for row in rows[1:]:
        assert (row[mark_at] == "销号") is (row[status_at] == "已销号"), row
    by_ticket = {row[0]: row for row in rows[1:]}
    assert by_ticket[disputed.ticket_no][header.index("企业异议")] == "是"
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert summary["销号"] == 2 and summary["按原定时限销号"] + summary["晚于原定时限销号"] == 2
    assert summary["企业异议"] == 1 and summary["完成率"] == "40%"


# --- Closing asks for a second step; the marks have a select-all --------------------------------------

def test_closing_without_the_tick_is_refused_with_the_explanation(app, items, organiser):
    from kiosk.ledger import rounds as rules

    round_ = rules.open_round(2026, 3, organiser, today=date(2026, 12, 7))
    rules.mark(round_, round_.version, [items[k].id for k in ("D1", "D2", "after")], Mark.closed_out, "已核实",
               organiser, today=date.today())
    rules.mark(round_, round_.version, [items["P1"].id, items["P2"].id], Mark.open, "推进中", organiser,
               today=date.today())
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    page_url = f"/ledger/rounds/{round_.id}"
    page = boss.get(page_url).get_data(as_text=True)
    box = page[page.index('id="round-close"'):]
    assert "将会：" in box and "不能撤销：" in box and 'name="confirmed" value="yes"' in box
    refused = boss.post(f"{page_url}/close", data={"csrf_token": csrf_token(boss, page_url),
                                                   "version": the_round().version})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<details class="irreversible" id="round-close" open>' in text and "还没有勾选确认" in text
    assert "结束后这一轮不能再标记或修改" in text
    assert the_round().closed_at is None and the_round().frozen is None


def test_select_all_is_a_submit_of_its_own_that_keeps_what_was_typed(app, items, organiser):
    from kiosk.ledger import rounds as rules

    round_ = rules.open_round(2026, 3, organiser, today=date(2026, 12, 7))
    rules.mark(round_, round_.version, [items["P1"].id], Mark.open, "推进中", organiser, today=date.today())
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    page_url = f"/ledger/rounds/{round_.id}"
    ticked = r'name="items" value="(\d+)"[^>]*checked'
    base = {"csrf_token": csrf_token(boss, page_url), "version": the_round().version, "mark": "open",
            "note": "季度会议：继续推进"}
    every = boss.post(f"{page_url}/marks", data={**base, "select": "all"})
    html = every.get_data(as_text=True)
    assert every.status_code == 200 and "季度会议：继续推进" in html and "已选 5 项" in html
    assert sorted(map(int, re.findall(ticked, html))) == sorted(e.request_id for e in the_round().items)
    rest = boss.post(f"{page_url}/marks", data={**base, "select": "unmarked"}).get_data(as_text=True)
    assert str(items["P1"].id) not in re.findall(ticked, rest) and len(re.findall(ticked, rest)) == 4
    assert re.findall(ticked, boss.post(f"{page_url}/marks",
                                        data={**base, "select": "none"}).get_data(as_text=True)) == []
    assert all(e.mark is None for e in the_round().items if e.request_id != items["P1"].id)  # nothing marked
