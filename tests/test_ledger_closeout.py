"""Department accounts and the two-step close-out: a department's staff work on their own items from
every fair (and on nothing else), record the result and ask for close-out; only an organiser
confirms it (销号) or sends it back with a reason; done and closed out are never one figure."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from kiosk.auth.models import Role, User
from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.ledger.figures import ledger_figures
from kiosk.ledger.moves import LedgerRefused
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import booth, department_staff, make_fair, request_in
from tests.helpers import csrf_token, login

DUE = date.today() + timedelta(days=10)


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def post(client, item, step, **data):
    token = csrf_token(client, f"/ledger/items/{item.id}")
    return client.post(f"/ledger/items/{item.id}/{step}",
                       data={"csrf_token": token, f"{step}-version": fresh(item).version,
                             **{f"{step}-{k}": v for k, v in data.items()}})


@pytest.fixture
def item(fair):
    return request_in(fair, Status.planned, due=DUE)


@pytest.fixture
def staff(app, fair):
    """B07's department's ledger account, signed in."""
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    return login(app.test_client(), "dept-b07")


def test_two_step_close_out_through_the_pages(app, fair, organiser, item, staff):
    assert post(staff, item, "progress", text="已完成现场踏勘，正在编制供地方案").status_code == 200
    answer = post(staff, item, "finish", result="已完成供地，签订出让合同", evidence="合同编号 TA-2026-031")
    assert answer.status_code == 200 and "已申请销号" in answer.get_data(as_text=True)
    done = fresh(item)
    assert done.status is Status.done and done.done_at is not None and done.closed_out_at is None
    figures = ledger_figures(date.today())
    assert (figures.done, figures.closed_out) == (1, 0)  # done is not closed out
    # The department cannot close out its own work, by the page or by the rule underneath.
    assert post(staff, item, "confirm").status_code == 403
    with pytest.raises(LedgerRefused) as refused:
        moves.confirm(done, department_staff(done.booth.department), done.version)
    assert refused.value.code == "organisers_only"
    db.session.rollback()
    boss = login(app.test_client(), organiser.username)
    assert "确认销号" in boss.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert post(boss, item, "confirm").status_code == 200
    closed = fresh(item)
    assert closed.status is Status.closed_out and closed.closed_out_at is not None
    assert [e.kind for e in closed.events][-3:] == [EventKind.progress, EventKind.done, EventKind.closed_out]
    assert closed.events[-1].actor_id == organiser.id
    figures = ledger_figures(date.today())
    assert (figures.done, figures.closed_out, figures.closed_out_on_time) == (0, 1, 1)


def test_an_organiser_sends_it_back_with_a_reason_and_the_department_sees_it(app, fair, organiser, item, staff):
    post(staff, item, "finish", result="已办结", evidence="无")
    boss = login(app.test_client(), organiser.username)
    assert post(boss, item, "send_back", reason="合同尚未签订，不能销号").status_code == 200
    back = fresh(item)
    assert back.status is Status.planned and back.done_at is None
    assert back.events[-1].kind is EventKind.sent_back and back.events[-1].detail == "合同尚未签订，不能销号"
    page = staff.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert "合同尚未签订，不能销号" in page and "办结，申请销号" in page  # and it may ask again


def test_another_departments_staff_are_refused_and_see_nothing_of_it(app, fair, item):
    department_staff(booth(fair, "F01").department, username="dept-f01")
    db.session.commit()
    other = login(app.test_client(), "dept-f01")
    assert other.get(f"/ledger/items/{item.id}").status_code == 404
    token = csrf_token(other, "/ledger")
    answer = other.post(f"/ledger/items/{item.id}/finish",
                        data={"csrf_token": token, "finish-version": item.version, "finish-result": "x",
                              "finish-evidence": "y"})
    assert answer.status_code == 404 and fresh(item).status is Status.planned
    assert item.ticket_no not in other.get("/ledger?status=all").get_data(as_text=True)
    with pytest.raises(LedgerRefused) as refused:
        moves.finish(item, db.session.scalar(sa.select(User).filter_by(username="dept-f01")), item.version,
                     result="x", evidence="y")
    assert refused.value.code == "not_yours"


def test_a_booth_account_does_no_ledger_work(app, fair, item):
    tablet = login(app.test_client(), "b07")
    assert tablet.get("/ledger").status_code == 403
    assert tablet.get(f"/ledger/items/{item.id}").status_code == 404
    with pytest.raises(LedgerRefused):
        moves.progress(item, db.session.scalar(sa.select(User).filter_by(username="b07")), item.version, text="x")


def test_a_department_sees_its_items_from_every_fair_and_only_once_planned(app, fair, staff):
    later = make_fair(name=fair.name, prefix="y-")  # the same departments at a second fair
    first = request_in(fair, Status.planned, due=DUE)
    second = request_in(later, Status.planned, due=DUE,
                        by=db.session.scalar(sa.select(User).filter_by(username="y-b07")))
    waiting = request_in(fair, Status.waiting)
    elsewhere = request_in(fair, Status.planned, at="B01", due=DUE)
    listed = staff.get("/ledger").get_data(as_text=True)
    shown = set(re.findall(r'href="/ledger/items/(\d+)"', listed))
    assert shown == {str(first.id), str(second.id)}
    assert staff.get(f"/ledger/items/{waiting.id}").status_code == 404  # not on the ledger
    assert staff.get(f"/ledger/items/{elsewhere.id}").status_code == 404  # another department's
    # A department account filters to its own department whatever the link asks.
    asked = staff.get(f"/ledger?department={elsewhere.booth.department_id}").get_data(as_text=True)
    assert set(re.findall(r'href="/ledger/items/(\d+)"', asked)) == shown


def test_an_organiser_issues_a_department_account_that_signs_in_to_the_ledger(app, fair, organiser):
    boss = login(app.test_client(), organiser.username)
    department = booth(fair, "B07").department
    assert department.name in boss.get("/organiser/departments").get_data(as_text=True)
    slip = boss.post(f"/organiser/departments/{department.id}/reset",
                     data={"csrf_token": csrf_token(boss, "/organiser/departments")}).get_data(as_text=True)
    username = re.search(r'id="slip-username">([^<]+)<', slip).group(1)
    password = re.search(r'id="slip-password">([^<]+)<', slip).group(1)
    account = db.session.scalar(sa.select(User).filter_by(username=username))
    assert account.role is Role.department and account.department_id == department.id and account.booth_id is None
    phone = app.test_client()
    signed_in = phone.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(phone, "/login")})
    assert signed_in.headers["Location"] == "/ledger"
    assert phone.get("/ledger").status_code == 200
    # A new password ends that session; the booths' tablets stay signed in.
    tablet = login(app.test_client(), "b07")
    boss.post(f"/organiser/departments/{department.id}/reset",
              data={"csrf_token": csrf_token(boss, "/organiser/departments")})
    assert phone.get("/ledger").status_code == 302
    assert tablet.get(f"/staff/booths/{booth(fair, 'B07').id}").status_code == 200
    boss.post(f"/organiser/departments/{department.id}/switch",
              data={"csrf_token": csrf_token(boss, "/organiser/departments"), "to": "off"})
    db.session.expire_all()
    assert not db.session.scalar(sa.select(User).filter_by(username=username)).active


def test_a_lost_update_on_the_ledger_is_a_conflict_not_an_overwrite(app, fair, organiser, item, staff):
    stale = fresh(item).version
    post(staff, item, "progress", text="第一次进展")
    token = csrf_token(staff, f"/ledger/items/{item.id}")
    answer = staff.post(f"/ledger/items/{item.id}/finish", data={
        "csrf_token": token, "finish-version": stale, "finish-result": "已办结", "finish-evidence": "无"})
    assert answer.status_code == 409 and "刚被其他人更新过" in answer.get_data(as_text=True)
    assert fresh(item).status is Status.planned


def test_the_lists_poll_never_gets_the_whole_page_back_as_a_304(app, fair, organiser, item):
    """The browser revalidates the poll with the ETag it holds for the URL, which may be the whole
    page's (a boosted visit to the same URL): a 304 then hands the whole page to the poll, and the
    list showed a page inside the page (two menus, two sets of tabs)."""
    boss = login(app.test_client(), "organiser")
    page = boss.get("/ledger?status=planned")
    assert page.status_code == 200
    held = page.headers.get("ETag")
    poll = boss.get("/ledger?status=planned",
                    headers={"HX-Request": "true", **({"If-None-Match": held} if held else {})})
    assert poll.status_code == 200 and "<main" not in poll.get_data(as_text=True)
    again = boss.get("/ledger?status=planned", headers={"HX-Request": "true", "If-None-Match": poll.headers["ETag"]})
    assert again.status_code == 304


def test_a_refused_ledger_step_keeps_what_was_typed_and_lists_its_errors_at_the_top(app, fair, item, staff):
    """The department's forms tell what to mend as the booth's forms do: a summary at the form's top
    links to each field in error (the booth's and the ledger's steps share one form frame)."""
    answer = post(staff, item, "finish", result="", evidence="合同编号 TA-2026-031")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "合同编号 TA-2026-031" in html
    summary = html.split('class="notice error error-summary"')[1].split("</div>")[0]
    assert 'href="#finish-result"' in summary and "#finish-evidence" not in summary
    assert fresh(item).status is Status.planned
