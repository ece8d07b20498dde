"""The booth tablet through HTTP: sign-in, the queue and its poll, actions, conflicts, walk-ins."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.service_requests import workflow
from kiosk.service_requests.models import Channel, EventKind, ServiceRequest, Status
from tests.factories import CODE_B, booth, request_in
from tests.helpers import act, csrf_token, fresh, login, page_version

POLL = {"HX-Request": "true"}


def test_sign_in_goes_to_the_booth_queue_and_sign_out_is_one_tap(client, fair):
    login(client, "b07")
    response = client.get("/staff/")
    assert response.headers["Location"] == f"/staff/booths/{booth(fair, 'B07').id}"
    assert "退出" in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
    assert client.get("/staff/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, fair):
    response = client.post("/login", data={"username": "b07", "password": "nope",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 401
    assert "账号或密码不正确" in response.get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for(client, fair):
    target = f"/staff/booths/{booth(fair, 'B07').id}?status=waiting"
    response = client.get(target)
    login_url = response.headers["Location"]
    token = csrf_token(client, login_url)
    done = client.post(login_url, data={"username": "B07", "password": "test-password", "csrf_token": token})
    assert done.headers["Location"] == target


def test_queue_shows_own_and_joined_requests_waiting_first_with_counts(client, fair):
    request_in(fair, Status.resolved)
    request_in(fair)
    request_in(fair, at="B01", joined=["B07"])
    request_in(fair, at="F01")
    login(client, "b07")
    html = client.get(f"/staff/booths/{booth(fair, 'B07').id}").get_data(as_text=True)
    tickets = re.findall(r'<td class="ticket-cell"><a [^>]+>([A-Z]\d\d-\d{3})</a>', html)
    assert tickets == ["B07-002", "B01-001", "B07-001"]
    assert "F01-001" not in html
    assert re.search(r'data-status="all">3<', html) and re.search(r'data-status="waiting">2<', html)
    assert re.search(r'data-status="resolved">1<', html)
    waiting_only = client.get(f"/staff/booths/{booth(fair, 'B07').id}?status=waiting").get_data(as_text=True)
    assert "B07-001" not in waiting_only and "B07-002" in waiting_only


def test_unchanged_queue_poll_is_a_304_and_a_change_is_not(client, fair, organiser):
    item = request_in(fair)
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    first = client.get(url, headers=POLL)
    assert first.status_code == 200 and "<html" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert client.get(url, headers={**POLL, "If-None-Match": etag}).status_code == 304

    request_in(fair)  # a phone submits
    arrived = client.get(url, headers={**POLL, "If-None-Match": etag})
    assert arrived.status_code == 200 and "B07-002" in arrived.get_data(as_text=True)

    etag = arrived.headers["ETag"]
    workflow.take(item, organiser, item.version)  # a colleague takes one
    db.session.commit()
    assert client.get(url, headers={**POLL, "If-None-Match": etag}).status_code == 200


def test_queue_poll_notices_a_request_transferred_away(client, fair, organiser):
    item = request_in(fair)
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    etag = client.get(url, headers=POLL).headers["ETag"]
    workflow.transfer(item, organiser, item.version, to_booth=booth(fair, "B02"), reason="转审批局")
    db.session.commit()
    changed = client.get(url, headers={**POLL, "If-None-Match": etag})
    assert changed.status_code == 200 and "B07-001" not in changed.get_data(as_text=True)


def test_304_survives_gzip(client, fair):
    request_in(fair)
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    headers = {**POLL, "Accept-Encoding": "gzip"}
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304


def test_record_a_plan_through_the_page(client, fair):
    item = request_in(fair)
    login(client, "b07")
    version = page_version(client, item.id, "plan")
    due = date.today() + timedelta(days=10)
    response = act(client, item.id, "plan", version=version, plan_text="会后五日内踏勘", unit="工信局",
                   person="赵科长", due=due.isoformat())
    assert response.status_code == 200
    assert "已记录解决方案" in response.get_data(as_text=True)
    saved = fresh(item.id)
    assert saved.status is Status.planned and saved.plan_due == due and saved.plan_person == "赵科长"
    assert saved.events[-1].actor.username == "b07"


def test_a_plan_needs_every_field_and_keeps_what_was_typed(client, fair):
    item = request_in(fair)
    login(client, "b07")
    version = page_version(client, item.id, "plan")
    response = act(client, item.id, "plan", version=version, plan_text="会后踏勘", unit="", person="赵科长", due="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写责任单位" in html and "请填写完成时限" in html
    assert "会后踏勘" in html and 'value="赵科长"' in html
    # The summary at the top of the form links to each field in error.
    summary = html.split('class="notice error error-summary"')[1].split("</div>")[0]
    assert 'href="#plan-unit"' in summary and 'href="#plan-due"' in summary and "#plan-person" not in summary
    assert fresh(item.id).status is Status.waiting


def test_a_plan_due_in_the_past_is_refused(client, fair):
    item = request_in(fair)
    login(client, "b07")
    version = page_version(client, item.id, "plan")
    response = act(client, item.id, "plan", version=version, plan_text="会后踏勘", unit="工信局", person="赵",
                   due=(date.today() - timedelta(days=2)).isoformat())
    assert response.status_code == 409 and "完成时限不能早于今天" in response.get_data(as_text=True)


def test_two_people_saving_at_once_the_second_is_told(app, fair):
    item = request_in(fair)
    first, second = login(app.test_client(), "b07"), login(app.test_client(), "b07")
    v1, v2 = page_version(first, item.id, "resolve"), page_version(second, item.id, "plan")
    assert act(first, item.id, "resolve", version=v1, resolution="当场答复").status_code == 200
    late = act(second, item.id, "plan", version=v2, plan_text="我的方案", unit="工信局", person="钱",
               due=(date.today() + timedelta(days=3)).isoformat())
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "刚被其他人更新过" in html
    assert "当场答复" in html  # the current state is shown...
    saved = fresh(item.id)
    assert saved.status is Status.resolved and saved.resolution == "当场答复"  # ...and nothing was overwritten
    assert saved.plan_text is None


def test_conflict_over_htmx_swaps_the_panel_with_the_message(app, fair):
    item = request_in(fair)
    first, second = login(app.test_client(), "b07"), login(app.test_client(), "b07")
    v1, v2 = page_version(first, item.id, "take"), page_version(second, item.id, "take")
    act(first, item.id, "take", version=v1)
    token = csrf_token(second, "/login")
    late = second.post(f"/staff/requests/{item.id}/note", headers=POLL,
                       data={"csrf_token": token, "note-version": v2, "note-text": "企业补充了材料"})
    html = late.get_data(as_text=True)
    assert late.status_code == 200 and html.lstrip().startswith('<div id="request-panel"')
    assert "刚被其他人更新过" in html and "企业补充了材料" in html


def test_transfer_leaves_this_queue_and_appears_in_the_other(app, fair):
    item = request_in(fair)
    b07, b02 = login(app.test_client(), "b07"), login(app.test_client(), "b02")
    version = page_version(b07, item.id, "transfer")
    response = act(b07, item.id, "transfer", version=version, to_booth=str(booth(fair, "B02").id), reason="属审批事项")
    assert response.status_code == 302
    assert "B07-001" not in b07.get(response.headers["Location"]).get_data(as_text=True)
    assert "B07-001" in b02.get(f"/staff/booths/{booth(fair, 'B02').id}").get_data(as_text=True)
    assert b07.get(f"/staff/requests/{item.id}").status_code == 404


def test_walk_in_is_recorded_with_its_channel(client, fair):
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}/walk-in"
    html = client.get(url).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(client, "/login"), "submission_key": key, "booth": str(booth(fair, "B07").id),
            "company_name": "乙公司", "credit_code": CODE_B, "contact_name": "李", "mobile": "13812345678",
            "category": "staffing", "need": "招聘技术工人", "project_name": "", "amount_wan": ""}
    bad = client.post(url, data={**data, "mobile": "123"})
    assert bad.status_code == 422 and "请填写11位手机号码" in bad.get_data(as_text=True)
    response = client.post(url, data=data)
    assert response.status_code == 302
    saved = db.session.scalars(sa.select(ServiceRequest)).one()
    assert saved.channel is Channel.walk_in and saved.ticket_no == "B07-001"
    assert saved.events[0].kind is EventKind.submitted and saved.events[0].actor.username == "b07"
    assert "已登记，需求编号 B07-001" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_joined_booth_sees_the_request_but_cannot_record_an_outcome(client, fair):
    item = request_in(fair, joined=["B01"])
    login(client, "b01")
    html = client.get(f"/staff/requests/{item.id}").get_data(as_text=True)
    assert "由牵头摊位负责办理" in html
    assert "确认现场办结" not in html and "保存备注" in html


def test_a_password_reset_signs_out_the_tablets_signed_in_with_the_old_one(app, fair, organiser):
    tablet = login(app.test_client(), "b07")
    queue = f"/staff/booths/{booth(fair, 'B07').id}"
    assert tablet.get(queue).status_code == 200
    user = db.session.scalar(sa.select(User).filter_by(username="b07"))
    user.set_password("a-new-password")
    db.session.commit()
    assert tablet.get(queue).headers["Location"].startswith("/login")


def test_staff_pages_are_not_kept_by_the_browser(client, fair):
    login(client, "b07")
    assert client.get(f"/staff/booths/{booth(fair, 'B07').id}").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/b/B07").headers.get("Cache-Control", "")


def test_a_row_that_changes_is_shown_changed_and_in_the_language_asked(client, fair, organiser):
    """Rows are rendered once and kept (queue.py _rendered_rows): a change or another language is
    never answered with the row as it was."""
    item = request_in(fair)
    request_in(fair)
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"

    def row_of(html, ticket):
        return re.search(rf'<tr data-id="\d+" class="row-(\w+)">\s*<td class="ticket-cell">'
                         rf'<a [^>]*>{ticket}</a>.*?</tr>', html, re.S)

    before = client.get(url, headers=POLL).get_data(as_text=True)
    assert row_of(before, "B07-001").group(1) == "waiting" and "待受理" in row_of(before, "B07-001").group(0)
    workflow.take(item, organiser, item.version)
    db.session.commit()
    after = client.get(url, headers=POLL).get_data(as_text=True)
    assert row_of(after, "B07-001").group(1) == "in_progress" and "办理中" in row_of(after, "B07-001").group(0)
    assert row_of(after, "B07-002").group(1) == "waiting"

    client.get("/lang/en")
    english = client.get(url, headers=POLL).get_data(as_text=True)
    assert "In progress" in row_of(english, "B07-001").group(0) and "办理中" not in english
    assert "Land" in row_of(english, "B07-002").group(0)


def test_a_password_reset_stops_the_tablets_poll_at_once(app, fair):
    """Even while nothing changes (the poll would be a 304), a tablet signed in with the old
    password is sent to the sign-in page at its next poll, and shown nothing more."""
    request_in(fair)
    tablet = login(app.test_client(), "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    etag = tablet.get(url, headers=POLL).headers["ETag"]
    assert tablet.get(url, headers={**POLL, "If-None-Match": etag}).status_code == 304
    user = db.session.scalar(sa.select(User).filter_by(username="b07"))
    user.set_password("a-new-password")
    db.session.commit()
    for headers in (POLL, {**POLL, "If-None-Match": etag}):
        response = tablet.get(url, headers=headers)
        assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")
        assert "B07-001" not in response.get_data(as_text=True)


def test_a_switched_off_account_is_signed_out_everywhere(app, fair):
    tablet = login(app.test_client(), "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    assert tablet.get(url).status_code == 200
    user = db.session.scalar(sa.select(User).filter_by(username="b07"))
    user.active = False
    db.session.commit()
    assert tablet.get(url).headers["Location"].startswith("/login")
    assert tablet.get(url, headers=POLL).status_code == 401
