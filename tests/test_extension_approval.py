"""Extensions are asked for and approved (延期审批): a department asks (a new date and its reason) and
nothing moves until an organiser approves; an organiser refuses with a reason the department reads;
one request waits at a time; a second extension is flagged wherever it is shown; no due date goes
past the ceiling (EXTENSION_CEILING_DAYS past the original due date), on the ask, an organiser's own
extension and a round's mark; on time stays judged against the original due date."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk.api.models import ApiScope
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.ledger import moves
from kiosk.ledger import rounds as rules
from kiosk.ledger.figures import ledger_figures
from kiosk.ledger.models import Extension, ExtensionStatus
from kiosk.ledger.moves import LedgerRefused
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import booth, department_staff, request_in
from tests.helpers import csrf_token, login
from tests.test_api import get, token
from tests.test_upgrade import ROWS, load_fixture, make_app

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def today(app):
    return fair_today()


@pytest.fixture
def item(fair, today):
    return request_in(fair, Status.planned, due=today + timedelta(days=10))


@pytest.fixture
def staff(app, fair):
    """B07's department's ledger account, signed in."""
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    return login(app.test_client(), "dept-b07")


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), organiser.username)


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def post(client, item, step, **data):
    token_ = csrf_token(client, f"/ledger/items/{item.id}")
    return client.post(f"/ledger/items/{item.id}/{step}",
                       data={"csrf_token": token_, f"{step}-version": fresh(item).version,
                             **{f"{step}-{k}": v for k, v in data.items()}})


def page(client, item) -> str:
    return client.get(f"/ledger/items/{item.id}").get_data(as_text=True)


def due_shown(html: str) -> str:
    return re.search(r'<dd id="due-now">([0-9-]+)', html).group(1)


def test_an_ask_moves_nothing_until_an_organiser_approves_it_on_the_page_and_in_the_api(
        app, client, fair, item, staff, boss, today):
    due = item.current_due
    asked = due + timedelta(days=30)
    answer = post(staff, item, "ask_extension", new_due=asked.isoformat(), reason="等待省厅用地预审意见")
    assert answer.status_code == 200 and "已提交延期申请" in answer.get_data(as_text=True)
    waiting = fresh(item)
    assert (waiting.current_due, waiting.due_now, waiting.extension_count) == (due, due, 0)
    assert waiting.extension_asked_on == today and waiting.events[-1].kind is EventKind.extension_asked
    shown = page(staff, item)
    assert due_shown(shown) == due.isoformat() and 'id="extension-pending"' in shown and asked.isoformat() in shown
    assert "提交延期申请" not in shown  # one at a time: no second ask offered while it waits
    secret = token()
    api = get(client, f"/api/v1/ledger-items/{item.id}", secret).json
    assert (api["current_due"], api["extension_count"]) == (due.isoformat(), 0)
    assert api["expected_datetime"].startswith(due.isoformat())
    pending = api["pending_extension"]
    assert (pending["status"], pending["new_due"], pending["ordinal"], pending["second_or_later"]) == (
        "pending", asked.isoformat(), 1, False)
    assert pending["asked_datetime"] and pending["decided_datetime"] is None
    # The company sees neither the request nor its reason.
    assert "等待省厅用地预审意见" not in client.get(f"/t/{item.token}").get_data(as_text=True)

    answer = post(boss, item, "approve_extension")
    assert answer.status_code == 200 and "已批准延期" in answer.get_data(as_text=True)
    approved = fresh(item)
    assert (approved.current_due, approved.plan_due, approved.extension_count) == (asked, due, 1)
    assert approved.extension_asked_on is None and approved.pending_extension is None
    assert approved.events[-1].kind is EventKind.extended and approved.events[-1].actor.is_organiser
    assert due_shown(page(staff, item)) == asked.isoformat()
    api = get(client, f"/api/v1/ledger-items/{item.id}", secret).json
    assert (api["current_due"], api["extension_count"], api["pending_extension"]) == (asked.isoformat(), 1, None)
    assert [(e["status"], e["ordinal"]) for e in api["extensions"]] == [("approved", 1)]
    assert "等待省厅用地预审意见" in client.get(f"/t/{item.token}").get_data(as_text=True)


def test_a_refusal_keeps_the_date_and_the_department_reads_why_and_may_ask_again(
        client, item, staff, boss):
    due = item.current_due
    post(staff, item, "ask_extension", new_due=(due + timedelta(days=60)).isoformat(), reason="企业调整方案")
    answer = post(boss, item, "refuse_extension", reason="调整方案不影响供地，请按原定时限办理")
    assert answer.status_code == 200
    refused = fresh(item)
    assert refused.current_due == due and refused.extension_asked_on is None and refused.extension_count == 0
    assert refused.extension_requests[-1].status is ExtensionStatus.refused
    assert refused.events[-1].kind is EventKind.extension_refused
    shown = page(staff, item)
    assert 'id="extension-refused"' in shown and "调整方案不影响供地，请按原定时限办理" in shown
    assert due_shown(shown) == due.isoformat() and "提交延期申请" in shown  # it may ask again
    tracking = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "调整方案不影响供地" not in tracking and "企业调整方案" not in tracking
    # A refusal needs its reason; nothing is decided without one.
    post(staff, item, "ask_extension", new_due=(due + timedelta(days=20)).isoformat(), reason="补充材料")
    assert post(boss, item, "refuse_extension", reason="").status_code == 422
    assert fresh(item).pending_extension is not None


def test_a_second_ask_while_one_waits_is_refused_and_keeps_what_was_typed(item, staff, today):
    due = item.current_due
    post(staff, item, "ask_extension", new_due=(due + timedelta(days=30)).isoformat(), reason="第一次申请")
    again = post(staff, item, "ask_extension", new_due=(due + timedelta(days=40)).isoformat(), reason="再申请一次")
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert f"已有延期申请（申请延至 {(due + timedelta(days=30)).isoformat()}）" in html and "再申请一次" in html
    assert len(fresh(item).extension_requests) == 1
    # The rule underneath, and the database's own guard whatever writes the rows.
    with pytest.raises(LedgerRefused) as refused:
        moves.ask_extension(fresh(item), department_staff(item.booth.department), fresh(item).version,
                            new_due=due + timedelta(days=40), reason="再申请", today=today)
    assert refused.value.code == "pending"
    db.session.rollback()
    db.session.add(Extension(request_id=item.id, new_due=due + timedelta(days=50), reason="绕过",
                             status=ExtensionStatus.pending))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_asks_racing_the_second_is_told_not_a_500(item, today):
    """The item read before another ask landed beside it (written past its version): the database's
    one-waiting rule makes the second a conflict, never a server error."""
    staff = department_staff(item.booth.department)
    seen = fresh(item)
    assert seen.extension_requests == []
    db.session.execute(sa.insert(Extension.__table__).values(
        request_id=item.id, new_due=today + timedelta(days=30), reason="先到的申请", status="pending",
        at=datetime.now(SHANGHAI)))
    with pytest.raises(LedgerRefused) as refused:
        moves.ask_extension(seen, staff, seen.version, new_due=today + timedelta(days=40), reason="后到的申请",
                            today=today)
    assert refused.value.code == "conflict"


def test_a_second_extension_is_flagged_on_the_item_the_organisers_list_and_the_api(
        client, fair, item, staff, boss):
    due = item.current_due
    post(staff, item, "ask_extension", new_due=(due + timedelta(days=10)).isoformat(), reason="第一次")
    post(boss, item, "approve_extension")
    asking = page(staff, item)
    assert "这将是第2次延期申请" in asking
    post(staff, item, "ask_extension", new_due=(due + timedelta(days=20)).isoformat(), reason="第二次")
    shown = page(boss, item)
    assert re.search(r'class="badge overdue" id="extension-ordinal">第2次延期<', shown)
    assert "这是再次申请延期" in shown and "批准延期至" in shown
    listed = boss.get("/ledger/extensions").get_data(as_text=True)
    row = re.search(rf'<tr id="extension-\d+">.*?{item.ticket_no}.*?</tr>', listed, re.S).group(0)
    assert "第2次延期" in row and 'class="badge overdue"' in row and fair.name in row
    pending = get(client, f"/api/v1/ledger-items/{item.id}", token()).json["pending_extension"]
    assert (pending["ordinal"], pending["second_or_later"]) == (2, True)
    post(boss, item, "approve_extension")
    api = get(client, f"/api/v1/ledger-items/{item.id}", token(name="其他系统")).json
    assert [(e["ordinal"], e["second_or_later"]) for e in api["extensions"]] == [(1, False), (2, True)]
    assert 'class="badge overdue">延期2次<' in page(boss, item)


@pytest.mark.parametrize("too_late", ["9999-12-31", "ceiling+1"])
def test_the_ask_past_the_ceiling_is_refused_naming_the_latest_date_and_the_ceiling_itself_is_taken(
        item, staff, boss, too_late):
    ceiling = item.plan_due + timedelta(days=365)
    day = (ceiling + timedelta(days=1)).isoformat() if too_late == "ceiling+1" else too_late
    answer = post(staff, item, "ask_extension", new_due=day, reason="等待上级批复")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409 and f"新的完成时限最晚为 {ceiling.isoformat()}" in html
    assert "等待上级批复" in html and fresh(item).extension_requests == []  # typed, kept; nothing written
    assert f'max="{ceiling.isoformat()}"' in page(staff, item)  # the date picker says so beforehand
    assert post(staff, item, "ask_extension", new_due=ceiling.isoformat(), reason="等待上级批复").status_code == 200
    assert post(boss, item, "approve_extension").status_code == 200
    assert fresh(item).current_due == ceiling


def test_an_organisers_own_extension_has_the_same_ceiling_and_is_approved_as_made(item, boss, organiser):
    ceiling = item.plan_due + timedelta(days=365)
    for day in ("9999-12-31", (ceiling + timedelta(days=1)).isoformat()):
        answer = post(boss, item, "extend", new_due=day, reason="组织方延期")
        assert answer.status_code == 409 and ceiling.isoformat() in answer.get_data(as_text=True), day
    assert post(boss, item, "extend", new_due=ceiling.isoformat(), reason="组织方延期").status_code == 200
    extended = fresh(item)
    made = extended.extension_requests[-1]
    assert extended.current_due == ceiling and made.status is ExtensionStatus.approved
    assert made.decided_by_id == made.by_user_id == organiser.id and not made.was_requested
    assert extended.events[-1].kind is EventKind.extended


def test_a_rounds_extended_mark_has_the_ceiling_too(app, fair, item, boss, organiser):
    """9999-12-31 was once accepted by a round's "延期" mark."""
    round_ = rules.open_round(2026, 4, organiser)
    db.session.commit()
    ceiling = item.plan_due + timedelta(days=365)

    def mark(day: str):
        shown = boss.get(f"/ledger/rounds/{round_.id}").get_data(as_text=True)
        version = re.search(r'name="version"[^>]*value="(\d+)"', shown).group(1)
        return boss.post(f"/ledger/rounds/{round_.id}/marks", data={
            "csrf_token": csrf_token(boss, f"/ledger/rounds/{round_.id}"), "version": version,
            "items": [str(item.id)], "mark": "extended", "note": "等待省厅批复", "new_due": day})

    for day in ("9999-12-31", (ceiling + timedelta(days=1)).isoformat()):
        answer = mark(day)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 409, day
        assert f"{item.ticket_no}：新的完成时限最晚为 {ceiling.isoformat()}" in html and "等待省厅批复" in html
        assert fresh(item).current_due == item.plan_due
    assert mark(ceiling.isoformat()).status_code == 303
    assert fresh(item).current_due == ceiling


def test_a_department_cannot_decide_nor_extend_by_any_post(item, staff, today):
    post(staff, item, "ask_extension", new_due=(item.current_due + timedelta(days=5)).isoformat(), reason="请批准")
    assert "批准延期至" not in page(staff, item) and "直接延期" not in page(staff, item)
    later = (item.current_due + timedelta(days=9)).isoformat()
    for step, data in (("approve_extension", {}), ("refuse_extension", {"reason": "自己拒绝"}),
                       ("extend", {"new_due": later, "reason": "自己延期"})):
        assert post(staff, item, step, **data).status_code == 403, step
    after = fresh(item)
    assert after.current_due == item.current_due and after.pending_extension is not None
    own = department_staff(item.booth.department)
    for move, kwargs in ((moves.approve_extension, {"today": today}), (moves.refuse_extension, {"reason": "否"})):
        with pytest.raises(LedgerRefused) as refused:
            move(fresh(item), own, fresh(item).version, **kwargs)
        assert refused.value.code == "organisers_decide"
        db.session.rollback()


def test_another_department_cannot_ask_and_an_organiser_does_not_ask(app, fair, item, boss, organiser, today):
    other = department_staff(booth(fair, "F01").department, username="dept-f01")
    db.session.commit()
    stranger = login(app.test_client(), "dept-f01")
    asked = (item.current_due + timedelta(days=5)).isoformat()
    assert post_as(stranger, item, "ask_extension", new_due=asked, reason="越权").status_code == 404
    with pytest.raises(LedgerRefused) as refused:
        moves.ask_extension(fresh(item), other, fresh(item).version, new_due=item.current_due + timedelta(days=5),
                            reason="越权", today=today)
    assert refused.value.code == "not_yours"
    db.session.rollback()
    assert "提交延期申请" not in page(boss, item)
    with pytest.raises(LedgerRefused) as refused:
        moves.ask_extension(fresh(item), organiser, fresh(item).version, new_due=item.current_due + timedelta(days=5),
                            reason="组织方", today=today)
    assert refused.value.code == "departments_ask"
    db.session.rollback()
    assert fresh(item).extension_requests == []


def post_as(client, item, step, **data):
    """A forged post: the token of a page the client can read, the item's version as it is."""
    return client.post(f"/ledger/items/{item.id}/{step}", data={
        "csrf_token": csrf_token(client, "/ledger"), f"{step}-version": fresh(item).version,
        **{f"{step}-{k}": v for k, v in data.items()}})


def test_on_time_is_still_judged_against_the_original_due_date(fair, organiser, today):
    item = request_in(fair, Status.planned, due=today + timedelta(days=3))
    staff = department_staff(item.booth.department)
    moves.ask_extension(item, staff, item.version, new_due=today + timedelta(days=30), reason="等批复", today=today)
    moves.approve_extension(item, organiser, item.version, today=today)
    moves.finish(item, staff, item.version, result="已办结", evidence="文号")
    moves.confirm(item, organiser, item.version,
                  now=datetime.combine(today + timedelta(days=10), datetime.min.time(), SHANGHAI))
    db.session.commit()
    done = fresh(item)
    assert done.closed_out_on < done.current_due and done.closed_out_on_time is False
    figures = ledger_figures(today + timedelta(days=11))
    assert (figures.closed_out_on_time, figures.closed_out_late, figures.extensions) == (0, 1, 1)


def test_only_approved_extensions_are_counted_in_the_ledgers_figures_and_rows(fair, boss, organiser, today):
    items = [request_in(fair, Status.planned, due=today + timedelta(days=3)) for _ in range(3)]
    staff = department_staff(items[0].booth.department)
    for n, item in enumerate(items):
        moves.ask_extension(item, staff, item.version, new_due=today + timedelta(days=20), reason="等批复", today=today)
        if n == 1:
            moves.approve_extension(item, organiser, item.version, today=today)
        elif n == 2:
            moves.refuse_extension(item, organiser, item.version, reason="不予批准")
    db.session.commit()
    figures = ledger_figures(today)
    assert (figures.extensions, figures.extended_items) == (1, 1)
    listed = boss.get("/ledger").get_data(as_text=True)
    assert listed.count("延期1次") == 1


def test_approval_checks_the_rules_again(app, fair, item, staff, boss, organiser, today):
    """A day asked for that has since passed is not approved (the item would be overdue at once), and
    an organiser decides a request before extending it another way (by hand or a round's mark)."""
    asked = item.current_due + timedelta(days=2)
    post(staff, item, "ask_extension", new_due=asked.isoformat(), reason="等批复")
    with pytest.raises(LedgerRefused) as refused:
        moves.approve_extension(fresh(item), organiser, fresh(item).version, today=asked + timedelta(days=1))
    with app.test_request_context():
        assert refused.value.code == "asked_past" and asked.isoformat() in str(refused.value.message)
    db.session.rollback()
    answer = post(boss, item, "extend", new_due=(asked + timedelta(days=9)).isoformat(), reason="组织方延期")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "请先批准或不予批准" in html and "组织方延期" in html
    with pytest.raises(LedgerRefused) as refused:
        moves.extend(fresh(item), organiser, fresh(item).version, new_due=asked + timedelta(days=9), reason="组织方",
                     today=today)
    assert refused.value.code == "decide_first"
    db.session.rollback()
    round_ = rules.open_round(2026, 4, organiser)
    with pytest.raises(rules.RoundRefused) as refused:
        rules.mark(round_, round_.version, [item.id], rules.Mark.extended, "延期", organiser, today=today,
                   new_due=asked + timedelta(days=9))
    with app.test_request_context():
        assert item.ticket_no in str(refused.value.message) and "请先批准或不予批准" in str(refused.value.message)
    db.session.rollback()


def test_two_organisers_deciding_at_once_the_second_is_told(app, item, staff, boss, organiser):
    post(staff, item, "ask_extension", new_due=(item.current_due + timedelta(days=5)).isoformat(), reason="等批复")
    seen = fresh(item).version
    token_ = csrf_token(boss, f"/ledger/items/{item.id}")
    assert post(boss, item, "approve_extension").status_code == 200
    late = boss.post(f"/ledger/items/{item.id}/refuse_extension", data={
        "csrf_token": token_, "refuse_extension-version": seen, "refuse_extension-reason": "不同意"})
    assert late.status_code == 409 and "刚被其他人更新过" in late.get_data(as_text=True)
    assert fresh(item).extension_requests[-1].status is ExtensionStatus.approved


def test_closing_out_an_item_decides_the_request_still_waiting(item, staff, boss, organiser):
    post(staff, item, "ask_extension", new_due=(item.current_due + timedelta(days=5)).isoformat(), reason="等批复")
    post(staff, item, "finish", result="已办结", evidence="文号")
    assert post(boss, item, "confirm").status_code == 200
    closed = fresh(item)
    assert closed.status is Status.closed_out and closed.pending_extension is None
    assert closed.extension_asked_on is None and closed.extension_requests[-1].status is ExtensionStatus.refused
    assert [e.kind for e in closed.events][-2:] == [EventKind.extension_refused, EventKind.closed_out]


def test_the_list_of_requests_waiting_shows_each_department_its_own_and_organisers_every_one(
        app, fair, item, staff, boss, today):
    other_item = request_in(fair, Status.planned, at="F01", due=today + timedelta(days=10))
    bank = department_staff(other_item.booth.department, username="dept-f01")
    moves.ask_extension(other_item, bank, other_item.version, new_due=today + timedelta(days=40),
                        reason="银行授信审批", today=today)
    db.session.commit()
    post(staff, item, "ask_extension", new_due=(item.current_due + timedelta(days=5)).isoformat(), reason="等批复")
    every = boss.get("/ledger/extensions").get_data(as_text=True)
    assert "待审批（2）" in every and item.ticket_no in every and "银行授信审批" in every
    assert re.search(r'id="extensions-link">延期审批 <span class="badge extended">2项待审批', boss.get("/ledger")
                     .get_data(as_text=True))
    own = staff.get("/ledger/extensions").get_data(as_text=True)
    assert "待审批（1）" in own and "银行授信审批" not in own
    assert "1项待审批" in staff.get("/ledger").get_data(as_text=True)
    post(boss, item, "refuse_extension", reason="请按原时限办理")
    # The counts on the ledger's pages follow at once (each server keeps them by the ledger's versions).
    assert "1项待审批" in boss.get("/ledger").get_data(as_text=True)
    assert "项待审批" not in staff.get("/ledger").get_data(as_text=True)
    decided = staff.get("/ledger/extensions").get_data(as_text=True)
    assert "待审批（0）" in decided and "请按原时限办理" in decided and "未批准" in decided
    assert app.test_client().get("/ledger/extensions").status_code == 302  # signed out: to the sign-in


def test_the_refusals_reason_is_in_the_api_with_the_personal_scope_only(client, item, staff, boss):
    post(staff, item, "ask_extension", new_due=(item.current_due + timedelta(days=5)).isoformat(), reason="等批复")
    post(boss, item, "refuse_extension", reason="请按原时限办理")
    public = get(client, f"/api/v1/ledger-items/{item.id}", token()).json["extensions"][0]
    personal = get(client, f"/api/v1/ledger-items/{item.id}", token(ApiScope.personal, name="市信用中心")).json
    assert public["status"] == "refused" and public["ordinal"] is None and "refusal_reason" not in public
    assert personal["extensions"][0]["refusal_reason"] == "请按原时限办理"
    assert (public["extended_datetime"], public["decided_datetime"] is not None) == (None, True)


def test_extensions_made_before_approval_existed_are_approved_ones(empty_database):
    """Migration 0029 on the previous release's rows: each extension already made stands, approved
    by whoever made it, when they made it; nothing waits."""
    app = make_app(empty_database)
    load_fixture(app)
    made = ROWS["extension"]
    assert made
    with app.app_context():
        upgrade()
        rows = db.session.execute(sa.select(Extension.id, Extension.status, Extension.by_user_id,
                                            Extension.decided_by_id, Extension.at, Extension.decided_at)).all()
        assert sorted(r.id for r in rows) == sorted(e["id"] for e in made)
        assert all(r.status is ExtensionStatus.approved and r.decided_by_id == r.by_user_id
                   and r.decided_at == r.at for r in rows)
        assert db.session.scalar(sa.select(sa.func.count()).where(ServiceRequest.extension_asked_on.is_not(None))) == 0
        db.session.remove()
        db.engine.dispose()
