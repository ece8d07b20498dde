"""The company's link keeps working after the fair: progress notes, extensions with their reasons and
the close-out show; the company confirms or disputes once; a dispute goes back to the department
with its words, and organisers see it. The trail as a timeline, and a company's file."""
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.ledger.company_file import company_file
from kiosk.ledger.figures import ledger_figures
from kiosk.ledger.moves import LedgerRefused
from kiosk.ledger.timeline import timeline
from kiosk.service_requests import workflow
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import CODE_A, CODE_B, booth, department_staff, make_fair, request_in
from tests.helpers import csrf_token, login

DUE = date.today() + timedelta(days=10)


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def verdict(client, item, **data):
    token = csrf_token(client, f"/t/{item.token}")
    return client.post(f"/t/{item.token}/verdict", data={"csrf_token": token, **data})


@pytest.fixture
def worked(fair, organiser):
    """A plan the department reported on and extended, then finished; closed out by an organiser."""
    item = request_in(fair, Status.planned, due=DUE)
    staff = department_staff(item.booth.department)
    moves.progress(item, staff, item.version, text="已完成现场踏勘")
    moves.ask_extension(item, staff, item.version, new_due=DUE + timedelta(days=20), reason="等待省厅用地指标",
                        today=date.today())
    moves.approve_extension(item, organiser, item.version, today=date.today())
    workflow.note(item, staff, item.version, text="内部：企业法人电话未接")
    moves.finish(item, staff, item.version, result="已签订土地出让合同", evidence="合同编号 TA-031")
    db.session.commit()
    return item


def test_the_tracking_page_shows_progress_extensions_and_the_close_out(client, worked, organiser):
    page = client.get(f"/t/{worked.token}").get_data(as_text=True)
    assert "已完成现场踏勘" in page and "等待省厅用地指标" in page
    assert f"原定完成时限 {DUE}" in page and "延期1次" in page
    assert "已签订土地出让合同" in page and "内部：企业法人电话未接" not in page  # a staff note stays inside
    assert "请确认办理结果" not in page  # not closed out yet
    moves.confirm(worked, organiser, worked.version)
    db.session.commit()
    assert "请确认办理结果" in client.get(f"/t/{worked.token}").get_data(as_text=True)


def test_after_the_close_out_the_companys_next_step_comes_first_and_the_history_is_folded(client, worked, organiser):
    """On a phone the closed-out page ran to 2,900 px, the verdict's form in its middle."""
    moves.confirm(worked, organiser, worked.version)
    db.session.commit()
    page = client.get(f"/t/{worked.token}").get_data(as_text=True)
    form, folded = page.index('class="slip verdict"'), page.index('<details class="history"')
    assert page.index("已签订土地出让合同") < form < folded  # what was done, then the company's word on it
    history = page[folded:page.index("</details>", page.index("办理轨迹"))]
    for shown in ("现场拿出的解决方案", "已完成现场踏勘", "等待省厅用地指标", "办理轨迹", "满意度测评"):
        assert shown in history, shown
    verdict(client, worked, accepted="yes", rating="5")
    page = client.get(f"/t/{worked.token}").get_data(as_text=True)
    assert page.index("您已确认问题已解决") < page.index('<details class="history"') < page.index("办理轨迹")


def test_the_company_confirms_once(client, worked, organiser):
    moves.confirm(worked, organiser, worked.version)
    db.session.commit()
    answer = verdict(client, worked, accepted="yes", rating="5", words="很满意")
    assert answer.status_code == 303
    item = fresh(worked)
    assert item.status is Status.closed_out and item.verdict.accepted and item.verdict.rating == 5
    assert item.events[-1].kind is EventKind.confirmed and item.events[-1].actor_id is None
    assert "您已确认问题已解决" in client.get(f"/t/{worked.token}").get_data(as_text=True)
    # Once per item: a second word, of any kind, changes nothing.
    again = verdict(client, worked, accepted="no", rating="1", words="其实没解决")
    assert again.status_code == 409 and fresh(worked).verdict.accepted
    with pytest.raises(LedgerRefused):
        moves.company_verdict(fresh(worked), accepted=False, rating=1, words="again")


def test_a_dispute_returns_the_item_to_the_department_with_the_companys_words(app, client, worked, organiser):
    moves.confirm(worked, organiser, worked.version)
    db.session.commit()
    assert verdict(client, worked, accepted="no", rating="2").status_code == 422  # words are needed
    assert fresh(worked).verdict is None
    assert verdict(client, worked, accepted="no", rating="2", words="合同签了但土地还没交付").status_code == 303
    item = fresh(worked)
    assert item.status is Status.planned and item.closed_out_at is None and item.closed_out_on is None
    assert item.events[-1].kind is EventKind.disputed and item.events[-1].detail == "合同签了但土地还没交付"
    figures = ledger_figures(date.today())
    assert (figures.closed_out, figures.open, figures.disputed) == (0, 1, 1)
    for who in (department_staff(item.booth.department).username, organiser.username):
        page = login(app.test_client(), who).get(f"/ledger/items/{item.id}").get_data(as_text=True)
        assert "企业对销号结果提出异议" in page and "合同签了但土地还没交付" in page, who
    disputes = login(app.test_client(), organiser.username).get("/ledger?status=all&disputed=1").get_data(as_text=True)
    assert f'href="/ledger/items/{item.id}"' in disputes and 'id="ledger-disputed">1<' in disputes
    # Done again and closed out again: the company has had its one word.
    staff = department_staff(item.booth.department)
    moves.finish(item, staff, item.version, result="土地已交付", evidence="交地确认书")
    moves.confirm(item, organiser, item.version)
    db.session.commit()
    page = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "请确认办理结果" not in page and "您提出了异议" in page


def test_the_timeline_shows_waits_and_each_change_of_lead(fair, organiser):
    item = request_in(fair, Status.planned, transferred_to="B02", due=DUE)
    staff = department_staff(item.booth.department)
    moves.reassign(item, staff, item.version, unit="用地审批科", person="钱科长", reason="科室职责调整")
    workflow.note(item, staff, item.version, text="内部备注")
    db.session.commit()
    item = fresh(item)
    base = item.events[0].created_at
    for n, event in enumerate(item.events):  # an hour between each step, to read the stays exactly
        event.created_at = base + timedelta(hours=n)
    steps = timeline(item, organiser=True, now=base + timedelta(hours=len(item.events) - 1, minutes=30))
    kinds = [s.event.kind for s in steps]
    assert kinds == [EventKind.submitted, EventKind.transferred, EventKind.taken, EventKind.planned,
                     EventKind.reassigned, EventKind.note]
    assert [s.stayed for s in steps] == [timedelta(hours=1)] * 5 + [timedelta(minutes=30)]
    leads = [(s.lead_from, s.lead_to) for s in steps if s.lead_to]
    assert leads == [(f"B07 {booth(fair, 'B07').name}", f"B02 {booth(fair, 'B02').name}"),
                     ("规划科 · 赵科长", "用地审批科 · 钱科长")]
    assert steps[4].note == "科室职责调整"
    company = timeline(item, company=True, now=base + timedelta(hours=10))
    assert EventKind.note not in [s.event.kind for s in company]
    assert all(s.note is None for s in company if s.event.kind is EventKind.transferred)


def test_the_item_page_shows_the_timeline_with_stays_and_lead_changes(app, fair, organiser):
    item = request_in(fair, Status.planned, transferred_to="B02", due=DUE)
    moves.reassign(item, organiser, item.version, unit="用地审批科", person="钱科长", reason="科室职责调整")
    db.session.commit()
    page = login(app.test_client(), organiser.username).get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert page.count('class="lead"') == 2 and "用地审批科 · 钱科长" in page and "停留" in page
    track = app.test_client().get(f"/t/{item.token}").get_data(as_text=True)
    assert "变更责任单位" in track and "科室职责调整" not in track


def test_a_companys_file_gathers_its_requests_across_booths_and_fairs_and_flags_recurring_needs(app, fair, organiser):
    later = make_fair(name=fair.name, prefix="y-")
    later.date = date(2026, 9, 1)
    db.session.commit()
    land_first = request_in(fair, Status.planned, due=DUE)
    request_in(fair, Status.resolved, at="F01", category=_funding())
    land_again = request_in(later, Status.waiting, at="B01", company_name="甲公司（新名）")
    request_in(later, Status.withdrawn, at="F01", category=_funding(), by=_user("y-f01"))
    other = request_in(fair, Status.waiting, credit_code=CODE_B, company_name="乙公司")
    found = company_file(CODE_A.lower())
    assert {r.id for r in found.requests} == {land_first.id, land_again.id} | {
        r.id for r in found.requests if r.category.value == "funding"}
    assert len(found.requests) == 4 and other.id not in {r.id for r in found.requests}
    # Land came back at a second fair; funding did not (the second was withdrawn).
    assert [c.value for c in found.recurring] == ["land"]
    assert found.recurs(land_first) and found.recurs(land_again)
    boss = login(app.test_client(), organiser.username)
    page = boss.get(f"/ledger/companies/{CODE_A}").get_data(as_text=True)
    assert page.count('class="recurs"') == 2 and "甲公司（新名）" in page and "乙公司" not in page
    assert CODE_A in boss.get("/ledger/companies?q=甲公司").get_data(as_text=True)
    assert login(app.test_client(), "b07").get(f"/ledger/companies/{CODE_A}").status_code == 403


def _funding():
    from kiosk.service_requests.models import Category
    return Category.funding


def _user(username):
    from kiosk.auth.models import User
    return db.session.scalar(sa.select(User).filter_by(username=username))


def test_a_ledger_move_keeps_its_time_in_the_fairs_zone(fair, organiser):
    item = request_in(fair, Status.done, due=DUE)
    moves.confirm(item, organiser, item.version, now=datetime.fromisoformat(f"{DUE.isoformat()}T23:30:00+08:00"))
    db.session.commit()
    assert re.match(r"\d{4}-\d\d-\d\dT15:30:00\+00:00", fresh(item).closed_out_at.isoformat())
