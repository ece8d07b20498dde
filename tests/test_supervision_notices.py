"""Supervision notices (督办单): an organiser issues one to a department about its red and yellow
items, numbered per year; it prints as a PDF with its signature blocks; the department replies on
each item; an unreplied notice past its reply date turns red; no department reaches another's.
And the colours where people see them: the ledger's rows, counts and filter, the department's home,
the organisers' dashboard and the hall screen."""
import re
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.service_requests.models import EventKind, Status
from kiosk.supervision import notices
from kiosk.supervision.models import Colour, NoticeState, SupervisionNotice
from tests.conftest import POSTGRES_URL
from tests.factories import booth, department_staff, request_in
from tests.helpers import csrf_token, fresh, login


def pdf_text(data: bytes) -> str:
    """What pdftotext reads in a PDF (the poppler tool a person would use)."""
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
                          ).stdout.decode()


def due_in(days: int) -> date:
    return fair_today() + timedelta(days=days)


@pytest.fixture
def items(app, fair):
    """At B07, after its fair's close 20 days ago: one overdue (red), one quiet for 20 days (yellow),
    one due in three days with a note today (blue); one overdue at F01 (another department)."""
    made = {name: request_in(fair, Status.planned, at) for name, at in
            (("red", "B07"), ("yellow", "B07"), ("blue", "B07"), ("other", "F01"))}
    fair.closed_at = datetime.combine(fair_today() - timedelta(days=20), time(2))
    for name, due, note in (("red", -2, 0), ("yellow", 30, None), ("blue", 3, 0), ("other", -1, 0)):
        item = made[name]
        item.plan_due = item.current_due = due_in(due)
        item.last_progress_on = None if note is None else fair_today()
        item.acknowledged_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    return made


@pytest.fixture
def b07(app, fair):
    user = department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    return user


@pytest.fixture
def f01(app, fair):
    user = department_staff(booth(fair, "F01").department, username="dept-f01")
    db.session.commit()
    return user


def signed_in(app, username):
    return login(app.test_client(), username)


def issue(organiser, chosen, *, today=None, reply_by=None, department=None):
    today = today or fair_today()
    department = department or chosen[0].booth.department
    notice = notices.issue(department, organiser, {i.id: i.version for i in chosen}, today=today,
                           reply_by=reply_by or today + timedelta(days=5), text="请说明逾期原因和办结时间")
    db.session.commit()
    return notice


# --- issuing ----------------------------------------------------------------------------------------

def test_notices_are_numbered_within_their_year(app, items, organiser):
    first = issue(organiser, [items["red"]], today=date(2026, 3, 2))
    second = issue(organiser, [items["yellow"]], today=date(2026, 11, 30))
    next_year = issue(organiser, [items["blue"]], today=date(2027, 1, 4))
    assert [(n.year, n.seq) for n in (first, second, next_year)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert second.official_number == "督办〔2026〕2号" and next_year.official_number == "督办〔2027〕1号"


def test_a_notice_keeps_each_items_colour_and_due_date_and_writes_the_trail(app, items, organiser):
    notice = issue(organiser, [items["red"], items["yellow"]])
    assert [(e.request_id, e.colour, e.due_then) for e in notice.items] == [
        (items["red"].id, Colour.red, due_in(-2)), (items["yellow"].id, Colour.yellow, due_in(30))]
    assert [r.value for r in notice.items[1].reasons] == ["quiet"]
    for item in (items["red"], items["yellow"]):
        event = fresh(item.id).events[-1]
        assert event.kind is EventKind.supervised and event.actor_id == organiser.id
        assert event.detail.startswith(f"{notice.official_number}，请于") and not event.kind.shown_to_company
    # the item moves on; the notice still says what it was
    item = fresh(items["red"].id)
    item.current_due = due_in(60)
    db.session.commit()
    assert db.session.get(SupervisionNotice, notice.id).items[0].due_then == due_in(-2)


def test_a_notice_whose_change_is_rolled_back_leaves_nothing(app, items, organiser):
    """The notice's number is taken in a savepoint: on SQLite the savepoint was the transaction, so
    its release committed the notice however the request ended (a numbered notice with no items)."""
    notices.issue(items["red"].booth.department, organiser, {items["red"].id: items["red"].version},
                  today=fair_today(), reply_by=fair_today() + timedelta(days=5), text="x")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionNotice)) == 0


def test_issuing_is_refused_for_a_department_another_departments_items_or_stale_ones(app, items, organiser, b07):
    with pytest.raises(notices.NoticeRefused) as refused:
        issue(b07, [items["red"]])
    assert refused.value.code == "organisers_only"
    with pytest.raises(notices.NoticeRefused) as refused:
        issue(organiser, [items["red"], items["other"]], department=items["red"].booth.department)
    assert refused.value.code == "other_department"
    stale = {items["red"].id: items["red"].version - 1}
    with pytest.raises(notices.NoticeRefused) as refused:
        notices.issue(items["red"].booth.department, organiser, stale, reply_by=due_in(5), text="x", today=fair_today())
    assert refused.value.code == "changed"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(SupervisionNotice.id))) == 0


def test_an_organiser_picks_a_departments_red_and_yellow_items_and_issues_after_the_second_step(
        app, items, organiser):
    boss = signed_in(app, organiser.username)
    department_id = items["red"].booth.department_id
    page = boss.get(f"/supervision/notices/new?department={department_id}").get_data(as_text=True)
    ticked = set(re.findall(r'name="items" value="(\d+)" checked', page))
    assert ticked == {str(items["red"].id), str(items["yellow"].id)}
    listed = set(re.findall(r'name="items" value="(\d+)"', page))
    assert str(items["blue"].id) not in listed and str(items["other"].id) not in listed  # blue: only when asked
    with_blue = boss.get(f"/supervision/notices/new?department={department_id}&colour=blue").get_data(as_text=True)
    assert re.findall(r'name="items" value="(\d+)"', with_blue) == [str(items["blue"].id)]
    red, yellow = items["red"], items["yellow"]
    form = {"csrf_token": csrf_token(boss, "/supervision/notices"), "department": department_id,
            "reply_by": due_in(7).isoformat(), "text": "请于一周内说明情况", "items": [red.id, yellow.id],
            f"version-{red.id}": red.version, f"version-{yellow.id}": yellow.version}
    unconfirmed = boss.post("/supervision/notices/new", data=form)
    html = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and 'id="notice-issue" open' in html and "请于一周内说明情况" in html
    assert db.session.scalar(sa.select(sa.func.count(SupervisionNotice.id))) == 0
    issued = boss.post("/supervision/notices/new", data={**form, "confirmed": "yes"})
    assert issued.status_code == 302
    notice = db.session.scalar(sa.select(SupervisionNotice))
    assert issued.headers["Location"].endswith(f"/supervision/notices/{notice.id}")
    assert len(notice.items) == 2 and notice.reply_by == due_in(7) and notice.issued_by_id == organiser.id


def test_the_issue_page_refuses_an_item_changed_since_it_was_shown_keeping_what_was_typed(app, items, organiser):
    boss = signed_in(app, organiser.username)
    item = items["red"]
    form = {"csrf_token": csrf_token(boss, "/supervision/notices"), "department": item.booth.department_id,
            "reply_by": due_in(7).isoformat(), "text": "请尽快办结", "items": [item.id],
            f"version-{item.id}": item.version - 1, "confirmed": "yes"}
    refused = boss.post("/supervision/notices/new", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "有了变化" in html and "请尽快办结" in html
    nothing = boss.post("/supervision/notices/new", data={**form, "items": [], f"version-{item.id}": item.version})
    assert nothing.status_code == 422 and "请至少勾选一项" in nothing.get_data(as_text=True)
    too_late = boss.post("/supervision/notices/new", data={**form, "reply_by": "2020-01-01",
                                                           f"version-{item.id}": item.version})
    assert too_late.status_code == 422 and "回复期限不能早于今天" in too_late.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SupervisionNotice.id))) == 0


# --- replying ---------------------------------------------------------------------------------------

def reply(client, notice, item, text, version=None):
    entry = next(e for e in notice.items if e.request_id == item.id)
    return client.post(f"/supervision/notices/{notice.id}/items/{item.id}/reply", data={
        "csrf_token": csrf_token(client, "/ledger"), f"reply-{item.id}-text": text,
        f"reply-{item.id}-version": entry.version if version is None else version})


def test_the_department_replies_on_each_item_and_the_notice_shows_what_is_replied(app, items, organiser, b07):
    notice = issue(organiser, [items["red"], items["yellow"]])
    staff = signed_in(app, "dept-b07")
    page = staff.get(f"/supervision/notices/{notice.id}").get_data(as_text=True)
    assert page.count("未回复") >= 2 and "回复督办" in page and "待回复" in page
    answered = reply(staff, notice, items["red"], "已完成选址论证，预计本月底办结。")
    assert answered.status_code == 302
    db.session.expire_all()
    notice = db.session.get(SupervisionNotice, notice.id)
    assert notice.state is NoticeState.partly and notice.replied_count == 1
    page = staff.get(f"/supervision/notices/{notice.id}").get_data(as_text=True)
    assert "已完成选址论证" in page and "部分回复" in page and "已回复 1 项，共 2 项" in page
    event = fresh(items["red"].id).events[-1]
    assert event.kind is EventKind.supervision_replied and "已完成选址论证" in event.detail
    again = reply(staff, notice, items["red"], "再回复一次")
    assert again.status_code == 409 and "已经回复过了" in again.get_data(as_text=True)
    reply(staff, notice, items["yellow"], "本周内补充办理进展。")
    db.session.expire_all()
    assert db.session.get(SupervisionNotice, notice.id).state is NoticeState.replied


def test_a_stale_or_empty_reply_is_refused_and_keeps_what_was_typed(app, items, organiser, b07):
    notice = issue(organiser, [items["red"]])
    staff = signed_in(app, "dept-b07")
    stale = reply(staff, notice, items["red"], "这段文字要留着", version=notice.items[0].version + 5)
    assert stale.status_code == 409 and "这段文字要留着" in stale.get_data(as_text=True)
    empty = reply(staff, notice, items["red"], "  ")
    assert empty.status_code == 422 and "请写明办理情况" in empty.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(SupervisionNotice, notice.id).items[0].is_replied


def test_an_organiser_may_type_in_a_reply_given_on_paper_and_the_page_says_so(app, items, organiser):
    notice = issue(organiser, [items["red"]])
    boss = signed_in(app, organiser.username)
    assert reply(boss, notice, items["red"], "书面回复：已办结").status_code == 302
    assert "组织方代录书面回复" in boss.get(f"/supervision/notices/{notice.id}").get_data(as_text=True)


def test_an_unreplied_notice_past_its_reply_date_turns_red_by_itself(app, items, organiser, b07):
    notice = issue(organiser, [items["red"], items["yellow"]], today=fair_today() - timedelta(days=10),
                   reply_by=fair_today() - timedelta(days=1))
    assert notice.overdue_on(fair_today()) and not notice.overdue_on(notice.reply_by)
    assert notice.state is NoticeState.overdue
    boss = signed_in(app, organiser.username)
    listed = boss.get("/supervision/notices").get_data(as_text=True)
    row = listed.split(f'id="notice-{notice.id}"')[0].rsplit("<tr", 1)[1] + listed.split(f'id="notice-{notice.id}"')[1]
    assert 'class="row-overdue"' in row and "逾期未回复" in row.split("</tr>")[0]
    staff = signed_in(app, "dept-b07")
    reply(staff, notice, items["red"], "已回复一项")
    db.session.expire_all()
    assert db.session.get(SupervisionNotice, notice.id).state is NoticeState.overdue  # one still unreplied
    reply(staff, notice, items["yellow"], "已回复另一项")
    db.session.expire_all()
    assert db.session.get(SupervisionNotice, notice.id).state is NoticeState.replied


# --- who sees what ------------------------------------------------------------------------------------

def test_another_department_neither_sees_nor_replies_to_a_notice_even_by_a_forged_post(
        app, items, organiser, b07, f01):
    notice = issue(organiser, [items["red"]])
    theirs = issue(organiser, [items["other"]])
    other = signed_in(app, "dept-f01")
    assert other.get(f"/supervision/notices/{notice.id}").status_code == 404
    assert other.get(f"/supervision/notices/{notice.id}.pdf").status_code == 404
    assert reply(other, notice, items["red"], "伪造的回复").status_code == 404
    # its own notice, with another department's item in the URL: not on that notice
    red = items["red"].id
    forged = other.post(f"/supervision/notices/{theirs.id}/items/{red}/reply", data={
        "csrf_token": csrf_token(other, "/ledger"), f"reply-{red}-text": "伪造", f"reply-{red}-version": 1})
    assert forged.status_code == 404
    listed = other.get("/supervision/notices").get_data(as_text=True)
    assert theirs.official_number in listed and notice.official_number not in listed
    assert other.get("/supervision/notices?department=" + str(items["red"].booth.department_id)
                     ).get_data(as_text=True).count("督办〔") == 1
    assert other.get("/supervision/notices/new").status_code == 403
    db.session.expire_all()
    assert not db.session.get(SupervisionNotice, notice.id).items[0].is_replied


# --- the document ---------------------------------------------------------------------------------------

def test_the_pdf_states_the_number_department_items_colours_and_signature_blocks(app, items, organiser, b07):
    notice = issue(organiser, [items["red"], items["yellow"]])
    staff = signed_in(app, "dept-b07")
    reply(staff, notice, items["red"], "已完成选址论证")
    response = signed_in(app, organiser.username).get(f"/supervision/notices/{notice.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="supervision-{notice.year}-{notice.seq}.pdf"' in response.headers["Content-Disposition"]
    text = re.sub(r"\s+", "", pdf_text(response.data))
    for expected in ("督办单", notice.official_number, items["red"].booth.department.name, items["red"].ticket_no,
                     items["yellow"].ticket_no, "红色·逾期", "黄色·滞后", "超过14天无进展", "已完成选址论证",
                     "请说明逾期原因和办结时间", "制表人", "审核人", "日期", "盖章", "共2项，已回复1项"):
        assert expected in text, expected
    assert items["other"].ticket_no not in text.replace(items["red"].ticket_no, "")  # F01-001 is another's


# --- the colours where they show ------------------------------------------------------------------------

def test_the_ledger_shows_each_rows_colour_with_its_word_and_filters_and_counts_by_colour(app, items, organiser):
    boss = signed_in(app, organiser.username)
    department_id = items["red"].booth.department_id
    html = boss.get(f"/ledger?department={department_id}").get_data(as_text=True)
    rows = {name: html.split(f'<tr id="item-{item.id}"')[1].split("</tr>")[0] for name, item in items.items()
            if name != "other"}
    assert ">逾期</span>" in rows["red"] and ">滞后</span>" in rows["yellow"] and "久无进展" in rows["yellow"]
    assert ">临期</span>" in rows["blue"]
    counts = dict(re.findall(r'id="ledger-colours-(\w+)">(\d+)<', html))
    assert counts == {"red": "1", "yellow": "1", "blue": "1", "normal": "0"}
    assert "黄色·滞后：有待批的延期申请" in html and "7天内到期" in html  # the definitions beside them
    assert f'/supervision/notices/new?department={department_id}"' in html  # offered a notice for them
    yellow = boss.get(f"/ledger?department={department_id}&colour=yellow").get_data(as_text=True)
    assert re.findall(r'<tr id="item-(\d+)"', yellow) == [str(items["yellow"].id)]
    everyone = boss.get("/ledger?colour=red").get_data(as_text=True)
    assert set(re.findall(r'<tr id="item-(\d+)"', everyone)) == {str(items["red"].id), str(items["other"].id)}


def test_a_colour_changes_with_the_day_on_the_kept_list(app, items, organiser):
    """Kept copies are keyed by the day: an item due today is blue, and red the next day, with
    nothing in it changed. The day moves on by the fair's zone: from the last zone on earth to reach
    a day (UTC-12) to the first (UTC+14), 26 hours ahead, so always a day or two later."""
    boss = signed_in(app, organiser.username)
    url = f"/ledger?department={items['blue'].booth.department_id}"

    def row():
        html = boss.get(url).get_data(as_text=True)
        return html.split(f'<tr id="item-{items["blue"].id}"')[1].split("</tr>")[0]
    assert ">临期</span>" in row()
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Etc/GMT+12"
    due = datetime.now(ZoneInfo("Etc/GMT+12")).date()
    item = fresh(items["blue"].id)
    item.plan_due = item.current_due = item.last_progress_on = due
    db.session.commit()
    assert ">临期</span>" in row()
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Etc/GMT-14"
    assert ">逾期</span>" in row()


def test_a_departments_home_shows_its_notices_waiting_for_replies_until_all_are_replied(
        app, items, organiser, b07, f01):
    staff = signed_in(app, "dept-b07")
    first = staff.get("/ledger").get_data(as_text=True)
    assert 'id="notice-box"' not in first and 'id="ledger-new-notice"' not in first  # (organisers issue them)
    notice = issue(organiser, [items["red"]])
    home = staff.get("/ledger").get_data(as_text=True)
    assert 'id="notice-box"' in home and notice.official_number in home and "督办单：1 份待回复" in home
    assert 'id="notice-box"' not in signed_in(app, "dept-f01").get("/ledger").get_data(as_text=True)
    reply(staff, notice, items["red"], "已回复")
    assert 'id="notice-box"' not in staff.get("/ledger").get_data(as_text=True)


def test_the_dashboard_and_the_hall_screen_count_the_fairs_items_by_colour_with_their_definitions(
        app, fair, items, organiser):
    boss = signed_in(app, organiser.username)
    dashboard = boss.get(f"/organiser/fairs/{fair.id}/dashboard").get_data(as_text=True)
    counts = dict(re.findall(r'id="dashboard-colours-(\w+)">(\d+)<', dashboard))
    assert counts == {"red": "2", "yellow": "1", "blue": "1", "normal": "0", "parked": "0"}
    assert "红色·逾期：办理中或已办结待销号，且已过当前完成时限" in dashboard
    assert f"/ledger?fair={fair.id}&amp;colour=red" in dashboard
    screen = app.test_client().get(f"/screen/{fair.screen_token}").get_data(as_text=True)
    assert dict(re.findall(r'id="screen-colour-(\w+)">(\d+)<', screen)) == {
        "red": "2", "yellow": "1", "blue": "1", "parked": "0"}
    assert "14天无进展" in screen and "甲公司" not in screen  # no company on the hall's screen


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite lets one transaction write at a time: the race is PostgreSQL's")
def test_two_organisers_issuing_at_once_get_the_next_numbers(app, items, organiser):
    """Another organiser's notice takes the number this one read, between the read and the write:
    this one takes the next number, in a savepoint, and nothing else of it is lost."""
    other = sa.create_engine(POSTGRES_URL)
    taken = []

    def take_the_number(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO supervision_notice ") and not taken:
            taken.append(True)
            with other.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO supervision_notice (year, seq, department_id, issued_at, issued_on, reply_by, text)"
                    " VALUES (:year, 1, :department, now(), :day, :day, '另一位组织方的督办单')"),
                    {"year": fair_today().year, "department": items["red"].booth.department_id, "day": fair_today()})
    sa.event.listen(db.engine, "before_cursor_execute", take_the_number)
    try:
        notice = issue(organiser, [items["red"], items["yellow"]])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", take_the_number)
        other.dispose()
    assert taken and notice.seq == 2 and len(notice.items) == 2
    assert sorted(db.session.scalars(sa.select(SupervisionNotice.seq))) == [1, 2]


def test_an_items_page_shows_its_colour_with_why_and_the_notices_that_listed_it(app, items, organiser, b07):
    """The department opening one item sees what the list shows of it (its colour and why) and the
    notice it is on, with whether it is replied to: it was only on the list and the notice's page."""
    notice = issue(organiser, [items["yellow"]])
    page = signed_in(app, "dept-b07").get(f"/ledger/items/{items['yellow'].id}").get_data(as_text=True)
    line = page[page.index('id="item-supervision"'):]
    line = line[:line.index("</p>")]
    assert "滞后" in line and "超过14天无进展" in line
    assert notice.official_number in line and "未回复" in line
    blue = signed_in(app, "dept-b07").get(f"/ledger/items/{items['blue'].id}").get_data(as_text=True)
    assert "临期" in blue[blue.index('id="item-supervision"'):] and notice.official_number not in blue
