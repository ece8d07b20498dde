"""The company's path: booth URL, form, ticket, tracking page."""
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

import kiosk.fairs.models
import kiosk.intake.service
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import FairStatus
from kiosk.intake.service import Intake, submit_request
from kiosk.service_requests.models import Category, EventKind, ServiceRequest, Status
from tests.factories import CODE_A, CODE_B, booth, make_fair
from tests.helpers import form_data


def requests_in_db():
    db.session.expire_all()
    return db.session.scalars(sa.select(ServiceRequest).order_by(ServiceRequest.id)).all()


def test_booth_url_preselects_the_booth(client, fair):
    page = client.get("/b/B07")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "工业和信息化局" in html
    assert re.search(rf'<option selected value="{booth(fair, "B07").id}">B07 ', html)


def test_booth_code_is_case_insensitive(client, fair):
    assert client.get("/b/b07").status_code == 200


def test_submit_gives_a_ticket_and_a_tracking_page(client, fair):
    response = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07"))
    assert response.status_code == 303
    tracking = client.get(response.headers["Location"])
    html = tracking.get_data(as_text=True)
    assert "B07-001" in html
    assert "待受理" in html and "工业和信息化局" in html
    saved, = requests_in_db()
    assert saved.ticket_no == "B07-001" and saved.status is Status.waiting
    assert saved.company.credit_code == CODE_A and saved.contact_mobile == "13912345678"
    assert [e.kind for e in saved.events] == [EventKind.submitted]
    # The tracking URL is unguessable, and the phone number appears on no public page.
    assert len(saved.token) >= 22 and saved.token in response.headers["Location"]
    assert "13912345678" not in html


def test_ticket_numbers_count_per_booth(client, fair):
    for url in ("/b/B07", "/b/B07", "/b/B01"):
        client.post(f"/f/{fair.id}", data=form_data(client, url))
    assert [r.ticket_no for r in requests_in_db()] == ["B07-001", "B07-002", "B01-001"]


def test_htmx_submit_answers_with_the_ticket_page_itself_in_one_round_trip(client, fair):
    response = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    saved, = requests_in_db()
    # The page replaces the form's page, and its address goes into the address bar.
    assert response.headers["HX-Push-Url"] == f"/t/{saved.token}"
    assert response.headers["HX-Retarget"] == "body"
    html = response.get_data(as_text=True)
    assert '<span class="ticket-no">B07-001</span>' in html and 'id="track-status"' in html
    # Its language switch comes back to the ticket's page, not to the form it was posted from.
    assert f"next=/t/{saved.token}" in html


def test_lower_case_credit_code_is_stored_normalised(client, fair):
    client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07", credit_code=CODE_A.lower()))
    assert requests_in_db()[0].company.credit_code == CODE_A


@pytest.mark.parametrize("field,value,message", [
    ("company_name", "", "请填写企业名称"),
    ("credit_code", "", "请填写统一社会信用代码"),
    ("credit_code", "91350100M000100Y44", "校验位不符"),
    ("credit_code", "9135010", "应为18位"),
    ("contact_name", "", "请填写联系人姓名"),
    ("mobile", "1391234", "请填写11位手机号码"),
    ("category", "", "请选择需求类别"),
    ("category", "spaceflight", "请选择需求类别"),
    ("need", "", "请写明您的需求"),
    ("need", "需" * 2001, "需求内容最多2000字"),
    ("amount_wan", "很多", "金额应为大于0的数字"),
    ("amount_wan", "-5", "金额应为大于0的数字"),
    ("booth", "", "请选择摊位"),
    ("booth", "abc", "请选择摊位"),
    ("booth", "99999", "请选择摊位"),
])
def test_each_bad_field_gets_its_message_and_keeps_the_rest(client, fair, field, value, message):
    data = form_data(client, "/b/B07", **{field: value})
    if field == "amount_wan":
        data["category"] = "funding"
    response = client.post(f"/f/{fair.id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', html) or \
        re.search(r'<p class="error">([^<]*)</p>', html)
    assert message in html
    if error and error.lastindex == 2:
        assert error.group(1) == field
    # Everything else the company typed is still in the form.
    for kept in ("company_name", "contact_name", "credit_code"):
        if kept != field:
            assert data[kept] in html
    if field != "need":
        assert data["need"] in html
    assert requests_in_db() == []


def test_htmx_error_answers_with_the_form_fragment(client, fair):
    data = form_data(client, "/b/B07", mobile="12")
    response = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "请填写11位手机号码" in html and "新建厂房需用地30亩" in html


def test_english_messages_when_the_phone_asks_for_english(client, fair):
    data = form_data(client, "/b/B07", mobile="12")
    response = client.post(f"/f/{fair.id}", data=data, headers={"Accept-Language": "en-US,en;q=0.9"})
    html = response.get_data(as_text=True)
    assert "11-digit mobile number" in html
    assert "请填写11位手机号码" not in html


def test_double_submit_creates_one_request(client, fair):
    data = form_data(client, "/b/B07")
    first = client.post(f"/f/{fair.id}", data=data)
    second = client.post(f"/f/{fair.id}", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(requests_in_db()) == 1


def test_simultaneous_double_tap_creates_one_request(app, fair):
    """Two POSTs of one form racing on two threads (a double tap on weak 4G)."""
    booth_id = booth(fair, "B07").id
    intake = Intake(booth_id=booth_id, company_name="甲公司", credit_code=CODE_A, contact_name="王",
                    mobile="13912345678", category=Category.land, need="用地", submission_key="same-key")

    def submit(_):
        with app.app_context():
            return submit_request(intake).token

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = set(pool.map(submit, range(8)))
    assert len(tokens) == 1
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 1


def test_concurrent_submissions_are_all_kept_with_distinct_tickets(app, fair):
    booth_id = booth(fair, "B07").id

    def submit(n):
        with app.app_context():
            return submit_request(Intake(
                booth_id=booth_id, company_name=f"公司{n}", credit_code=CODE_A if n % 2 else CODE_B,
                contact_name="王", mobile="13912345678", category=Category.land, need=f"需求{n}",
                submission_key=f"key-{n}")).ticket_no

    with ThreadPoolExecutor(max_workers=8) as pool:
        tickets = list(pool.map(submit, range(40)))
    assert sorted(tickets) == [f"B07-{n:03d}" for n in range(1, 41)]
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 2


@pytest.mark.parametrize("meeting", ["INSERT INTO company", "UPDATE booth"])
def test_two_filings_that_meet_in_the_database_both_land(app, fair, monkeypatch, meeting):
    """The first filing holds what it wrote (a new company, or its booth's next number) until it
    commits, while the second tries to write: the second, held meanwhile, files after it with the
    next number, and one company, tried again (in_transaction) where it met the first's company
    at its unique index."""
    first_wrote, about_to_write, attempts = threading.Event(), threading.Event(), {"first": 0, "second": 0}
    file = kiosk.intake.service._file

    def counted(*args):
        attempts[threading.current_thread().name] += 1
        return file(*args)

    def before(_connection, _cursor, statement, *_):
        if threading.current_thread().name == "second" and statement.startswith(("INSERT", "UPDATE")):
            about_to_write.set()

    def after(_connection, _cursor, statement, *_):
        if threading.current_thread().name == "first" and statement.startswith(meeting):
            first_wrote.set()
            assert about_to_write.wait(10)
            time.sleep(0.3)  # the second's write waits meanwhile, in the database

    monkeypatch.setattr(kiosk.intake.service, "_file", counted)
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    codes = {"first": CODE_A, "second": CODE_A if meeting.endswith("company") else CODE_B}
    filed = {}

    def submit():
        name = threading.current_thread().name
        with app.app_context():
            filed[name] = submit_request(Intake(
                booth_id=booth(fair, "B07").id, company_name=f"{name}公司", credit_code=codes[name], contact_name="王",
                mobile="13912345678", category=Category.land, need=f"{name}的需求", submission_key=name)).ticket_no

    try:
        first = threading.Thread(target=submit, name="first")
        first.start()
        assert first_wrote.wait(10)
        second = threading.Thread(target=submit, name="second")
        second.start()
        first.join(20)
        second.join(20)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    assert filed == {"first": "B07-001", "second": "B07-002"}
    assert [(r.company_name, r.company.name) for r in requests_in_db()] == [
        ("first公司", "first公司"), ("second公司", "first公司" if meeting.endswith("company") else "second公司")]
    assert attempts == {"first": 1, "second": 2 if meeting.endswith("company") else 1}


@pytest.mark.parametrize("lost", [False, True])
def test_a_filing_is_tried_again_after_a_busy_database_but_never_after_a_lost_connection(app, fair, monkeypatch, lost):
    """A busy database (SQLite's other writers) is worth another attempt; a lost connection is not:
    whether what was sent landed is not known, and the phone's own retry finds it by its key."""
    file, attempts = kiosk.intake.service._file, []

    def first_fails(*args):
        attempts.append(1)
        if len(attempts) == 1:
            raise sa.exc.OperationalError("INSERT", {}, Exception("busy or gone"), connection_invalidated=lost)
        return file(*args)

    monkeypatch.setattr(kiosk.intake.service, "_file", first_fails)
    intake = Intake(booth_id=booth(fair, "B07").id, company_name="甲公司", credit_code=CODE_A, contact_name="王",
                    mobile="13912345678", category=Category.land, need="用地", submission_key="a-key")
    if lost:
        with pytest.raises(sa.exc.OperationalError):
            submit_request(intake)
    else:
        assert submit_request(intake).ticket_no == "B07-001"
    assert len(attempts) == (1 if lost else 2) and len(requests_in_db()) == (0 if lost else 1)


def test_a_company_is_one_record_across_booths_named_by_its_first_filing(client, fair):
    client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07"))
    client.post(f"/f/{fair.id}", data=form_data(client, "/b/F01", category="funding", amount_wan="500",
                                                company_name="泰安新材料科技股份有限公司"))
    companies = db.session.scalars(sa.select(Company)).all()
    assert len(companies) == 1 and companies[0].name == "泰安新材料科技有限公司"
    assert [r.company_name for r in requests_in_db()] == ["泰安新材料科技有限公司", "泰安新材料科技股份有限公司"]
    funding = requests_in_db()[1]
    assert funding.amount_wan == 500 and funding.booth.code == "F01"


def test_amount_is_kept_only_for_funding(client, fair):
    client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07", category="land", amount_wan="300"))
    assert requests_in_db()[0].amount_wan is None


def test_the_next_form_remembers_the_company(client, fair):
    client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07"))
    html = client.get("/b/B01").get_data(as_text=True)
    assert 'value="泰安新材料科技有限公司"' in html and f'value="{CODE_A}"' in html
    assert 'value="王经理"' in html
    # ...but not the previous need: each request is its own.
    assert "新建厂房需用地30亩" not in html


def test_each_form_gets_its_own_submission_key(client, fair):
    first, second = form_data(client, "/b/B07"), form_data(client, "/b/B07")
    assert first["submission_key"] != second["submission_key"]
    client.post(f"/f/{fair.id}", data=first)
    client.post(f"/f/{fair.id}", data=second)
    assert len(requests_in_db()) == 2


def test_tracking_page_lists_the_companys_other_requests(client, fair):
    client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07"))
    second = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B01"))
    html = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "B07-001" in html and "您提交的其他需求" in html


def test_fair_wide_url_lets_the_company_pick_the_booth(client, fair):
    html = client.get(f"/f/{fair.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="">请选择摊位</option>', html)
    assert "<option selected value=\"1" not in html
    assert 'label="金融服务专区"' in html and "F02 " in html


def test_unknown_booth_gets_a_clear_page(client, fair):
    response = client.get("/b/Z99")
    assert response.status_code == 404
    assert "没有找到这个摊位" in response.get_data(as_text=True)


def test_unknown_tracking_token_is_404(client, fair):
    assert client.get("/t/not-a-token").status_code == 404


@pytest.mark.parametrize("status,code,text", [(FairStatus.draft, 200, "尚未开始受理"),
                                              (FairStatus.closed, 410, "已闭幕")])
def test_a_fair_that_is_not_open_says_so(client, app, status, code, text):
    make_fair(status=status)
    response = client.get("/b/B07")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert text in html and "<form" not in html


def test_submit_after_the_fair_closed_keeps_the_input(client, fair):
    data = form_data(client, "/b/B07")
    fair.status = FairStatus.closed
    db.session.commit()
    response = client.post(f"/f/{fair.id}", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已停止受理" in html and "新建厂房需用地30亩" in html
    assert requests_in_db() == []


def test_an_open_fair_wins_over_an_old_one_with_the_same_booth_code(client, app):
    make_fair(status=FairStatus.closed, name="去年大集", prefix="old-")
    current = make_fair(status=FairStatus.open, name="今年大集")
    html = client.get("/b/B07").get_data(as_text=True)
    assert f'action="/f/{current.id}"' in html


def test_expired_csrf_token_keeps_the_input_and_offers_a_fresh_token(app, fair):
    client = app.test_client()
    data = form_data(client, "/b/B07", csrf_token="stale")
    response = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "请核对后再点一次" in html and "新建厂房需用地30亩" in html
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data["csrf_token"] = fresh
    again = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true"})
    assert again.headers.get("HX-Push-Url", "").startswith("/t/")
    assert len(requests_in_db()) == 1


def test_form_without_csrf_token_is_refused(app, fair):
    client = app.test_client()
    data = form_data(client, "/b/B07")
    data.pop("csrf_token")
    assert client.post(f"/f/{fair.id}", data=data).status_code == 400
    assert requests_in_db() == []


def test_tracking_poll_is_a_304_until_something_changes(client, fair):
    location = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07")).headers["Location"]
    poll = {"HX-Request": "true"}
    first = client.get(location, headers=poll)
    assert first.status_code == 200 and 'id="track-status"' in first.get_data(as_text=True)
    assert "<html" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert client.get(location, headers={**poll, "If-None-Match": etag}).status_code == 304

    item = requests_in_db()[0]
    item.status, item.plan_text, item.plan_unit, item.plan_person = Status.planned, "会后踏勘", "规划科", "赵科长"
    db.session.commit()
    changed = client.get(location, headers={**poll, "If-None-Match": etag})
    # 286 tells htmx to stop polling: an outcome is final for the tracking page.
    assert changed.status_code == 286
    assert "会后踏勘" in changed.get_data(as_text=True) and "hx-trigger" not in changed.get_data(as_text=True)


def test_a_nul_character_in_the_form_is_refused_at_the_edge_not_a_crash(client, fair):
    # Nobody types a NUL; the edge (kiosk/core/security.py) answers 400 before anything reads the form.
    response = client.post(f"/f/{fair.id}",
                           data=form_data(client, "/b/B07", need="用地\x00需求", company_name="\x00甲"))
    assert response.status_code == 400
    assert requests_in_db() == []


def test_a_form_brought_back_with_its_old_key_and_a_new_need_files_a_new_request(client, fair):
    data = form_data(client, "/b/B07")
    client.post(f"/f/{fair.id}", data=data)
    client.post(f"/f/{fair.id}", data={**data, "need": "第二项需求：招聘技术工人"})
    client.post(f"/f/{fair.id}", data={**data, "need": "第二项需求：招聘技术工人"})  # and its double tap
    assert [r.need for r in requests_in_db()] == [data["need"], "第二项需求：招聘技术工人"]


def test_a_strange_submission_key_is_not_a_crash(client, fair):
    response = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07", submission_key="x" * 500))
    assert response.status_code == 303 and len(requests_in_db()) == 1


HUGE = "99999999999999999999"  # beyond any id column: SQLite's driver overflows on it


def test_numbers_beyond_any_id_are_not_found_not_a_crash(client, fair):
    assert client.get(f"/f/{HUGE}").status_code == 404
    # (Werkzeug's router answers a POST to a path no rule takes with 405: either way, no crash.)
    assert client.post(f"/f/{HUGE}", data=form_data(client, "/b/B07")).status_code in (404, 405)
    # A booth asked for in the query string that cannot exist: the form, with no booth chosen.
    page = client.get(f"/f/{fair.id}?booth={HUGE}")
    assert page.status_code == 200 and not re.search(r'<option selected value="\d', page.get_data(as_text=True))


def test_an_expired_form_for_a_fair_that_does_not_exist_is_not_found(client, fair):
    data = {**form_data(client, "/b/B07"), "csrf_token": "expired"}
    response = client.post("/f/9999", data=data)
    assert response.status_code == 404 and "没有找到这个页面" in response.get_data(as_text=True)


def test_a_filing_that_read_open_lands_nothing_once_the_fair_closed_before_its_ticket(client, fair):
    """A close that commits between a filing's first read ("open") and the moment it takes its
    booth's ticket number used to let the filing land a waiting request in the closed fair, which
    no close would ever take to an end. The filing reads the status again once the booth is its own."""
    data = form_data(client, "/b/B07")
    assert client.post(f"/f/{fair.id}", data=data).status_code == 303  # the company exists now
    data = form_data(client, "/b/B07")
    closed = []

    def close_in_between(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE BOOTH SET LAST_SEQ") and not closed:
            closed.append(True)
            with conn.engine.connect() as other:  # the organiser's close, committed first
                other.execute(sa.update(kiosk.fairs.models.Fair).values(status=FairStatus.closed))
                other.commit()

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", close_in_between)
    try:
        response = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true"})
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", close_in_between)
    assert closed, "the filing never took a ticket number"
    html = response.get_data(as_text=True)
    assert "已停止受理" in html and "新建厂房需用地30亩" in html
    db.session.expire_all()
    assert [r.ticket_no for r in requests_in_db()] == ["B07-001"]
    assert db.session.get(kiosk.fairs.models.Booth, booth(fair, "B07").id).last_seq == 1
