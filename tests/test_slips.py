"""Satisfaction slips: given once by the right person, the tablet locked while handed over,
the rater protected from booth staff, bad ratings followed up."""

import pytest
import sqlalchemy as sa

from kiosk.auth.signin_limits import LOGIN_FAILURES
from kiosk.core.extensions import db
from kiosk.service_requests import workflow
from kiosk.service_requests.models import Status
from kiosk.slips.models import SatisfactionSlip, SlipChannel
from kiosk.slips.service import give_slip
from tests.factories import PASSWORD, answers, booth, request_in
from tests.helpers import csrf_token, login

GOOD = {"confirmed": "yes", "professionalism": "5", "attitude": "5", "efficiency": "4", "problem_solving": "4",
        "integrity": "5", "overall": "5", "comment": "服务很好"}


def post_slip(client, item, **overrides):
    data = {**GOOD, **overrides, "csrf_token": csrf_token(client, "/login")}
    return client.post(f"/t/{item.token}/slip", data={k: v for k, v in data.items() if v is not None})


def slips():
    db.session.expire_all()
    return db.session.scalars(sa.select(SatisfactionSlip)).all()


def test_tracking_page_offers_the_slip_once_there_is_an_outcome(client, fair, organiser):
    item = request_in(fair)
    assert "满意度测评" not in client.get(f"/t/{item.token}").get_data(as_text=True)
    workflow.resolve(item, organiser, item.version, resolution="当场办结")
    db.session.commit()
    html = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "是否已按上述记录现场办结" in html and "代办手续及解决问题" in html and "非常不满意" in html


def test_the_phone_is_thanked_in_place_once_its_slip_is_saved(client, fair):
    """The slip is sent by htmx and its answer swapped in: it must show the slip just saved."""
    item = request_in(fair, Status.resolved)
    data = {**GOOD, "csrf_token": csrf_token(client, "/login")}
    answer = client.post(f"/t/{item.token}/slip", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "感谢您的评价" in answer.get_data(as_text=True)
    assert len(slips()) == 1


def test_plan_asks_whether_the_plan_is_clear_and_agreed(client, fair, organiser):
    from datetime import date, timedelta
    item = request_in(fair)
    workflow.plan(item, organiser, item.version, plan_text="踏勘", unit="局", person="赵",
                  due=date.today() + timedelta(days=3), today=date.today())
    db.session.commit()
    assert "解决方案是否清楚" in client.get(f"/t/{item.token}").get_data(as_text=True)


def test_the_company_gives_the_slip_once(client, fair):
    item = request_in(fair, Status.resolved)
    assert post_slip(client, item).status_code == 303
    slip, = slips()
    assert (slip.channel, slip.confirmed, slip.overall, slip.efficiency, slip.comment) == (
        SlipChannel.phone, True, 5, 4, "服务很好")
    assert not slip.needs_followup
    html = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "感谢您的评价" in html and "<form method=\"post\" action=\"/t/" not in html
    again = post_slip(client, item, overall="1")
    assert again.status_code == 422 and "只能评价一次" in again.get_data(as_text=True)
    assert [s.overall for s in slips()] == [5]


@pytest.mark.parametrize("field", ["confirmed", "professionalism", "attitude", "efficiency", "problem_solving",
                                   "integrity", "overall"])
def test_every_rating_is_required(client, fair, field):
    item = request_in(fair, Status.resolved)
    response = post_slip(client, item, **{field: None})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "还有未填的项目" in html
    assert "请先回答这个问题" in html if field == "confirmed" else "请选择一项评价" in html
    assert "服务很好" in html  # what was filled in stays
    assert slips() == []


def test_a_rating_outside_the_scale_is_refused(client, fair):
    item = request_in(fair, Status.resolved)
    assert post_slip(client, item, overall="6").status_code == 422
    assert post_slip(client, item, attitude="0").status_code == 422
    assert slips() == []


def test_comment_at_most_500_characters(client, fair):
    item = request_in(fair, Status.resolved)
    response = post_slip(client, item, comment="好" * 501)
    assert response.status_code == 422 and "最多500字" in response.get_data(as_text=True)
    assert post_slip(client, item, comment="好" * 500).status_code == 303


def test_no_slip_before_an_outcome_and_none_for_an_unknown_link(client, fair):
    item = request_in(fair)
    response = post_slip(client, item)
    assert response.status_code == 422 and slips() == []
    assert "暂时不能评价" in response.get_data(as_text=True)
    token = csrf_token(client, "/login")
    assert client.post("/t/someone-elses/slip", data={**GOOD, "csrf_token": token}).status_code == 404


@pytest.mark.parametrize("overrides,flagged", [
    ({}, False), ({"overall": "3"}, False), ({"overall": "2"}, True), ({"overall": "1"}, True),
    ({"confirmed": "no"}, True), ({"professionalism": "1", "overall": "4"}, False)])
def test_bad_overall_or_a_no_flags_the_request(client, fair, overrides, flagged):
    item = request_in(fair, Status.resolved)
    post_slip(client, item, **overrides)
    assert slips()[0].needs_followup is flagged


# The tablet handed over.

def hand_over(client, item):
    return client.post(f"/staff/requests/{item.id}/slip-mode", data={"csrf_token": csrf_token(client, "/login")})


def test_slip_mode_shows_only_the_slip_and_locks_the_queue(app, fair):
    item = request_in(fair, Status.resolved)
    tablet = login(app.test_client(), "b07")
    assert hand_over(tablet, item).headers["Location"] == "/slip"
    html = tablet.get("/slip").get_data(as_text=True)
    assert item.ticket_no in html and "满意度测评表" in html and "退出" not in html.split("<main")[0]
    queue = f"/staff/booths/{booth(fair, 'B07').id}"
    for url in (queue, f"/staff/requests/{item.id}", "/staff/", "/followups", f"/t/{item.token}"):
        assert tablet.get(url).headers.get("Location") == "/slip", url
    assert tablet.get(queue, headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/slip"
    token = csrf_token(tablet, "/slip")
    assert tablet.post("/logout", data={"csrf_token": token}).headers["Location"] == "/slip"
    assert tablet.post(f"/staff/requests/{item.id}/note", data={"csrf_token": token}).headers["Location"] == "/slip"

    done = tablet.post("/slip", data={**GOOD, "overall": "4", "csrf_token": token})
    assert "感谢您的评价" in done.get_data(as_text=True)
    slip, = slips()
    assert slip.channel is SlipChannel.tablet and slip.overall == 4
    # Still locked after the slip: the next person must not reach the queue.
    assert tablet.get(queue).headers["Location"] == "/slip"
    assert "感谢您的评价" in tablet.get("/slip").get_data(as_text=True)

    wrong = tablet.post("/slip/exit", data={"password": "guess", "csrf_token": token})
    assert wrong.status_code == 401 and "密码不正确" in wrong.get_data(as_text=True)
    assert tablet.get(queue).headers["Location"] == "/slip"
    back = tablet.post("/slip/exit", data={"password": PASSWORD, "csrf_token": token})
    assert back.headers["Location"] == f"/staff/requests/{item.id}"
    assert tablet.get(queue).status_code == 200


def test_guessing_the_staff_password_in_slip_mode_is_limited(app, fair):
    item = request_in(fair, Status.resolved)
    tablet = login(app.test_client(), "b07")
    hand_over(tablet, item)
    token = csrf_token(tablet, "/slip")
    for _ in range(LOGIN_FAILURES):
        assert tablet.post("/slip/exit", data={"password": "guess", "csrf_token": token}).status_code == 401
    held = tablet.post("/slip/exit", data={"password": PASSWORD, "csrf_token": token})
    assert held.status_code == 429 and "密码输错次数过多" in held.get_data(as_text=True)
    assert tablet.get(f"/staff/booths/{booth(fair, 'B07').id}").headers["Location"] == "/slip"
    # The guesses came from the tablet: the booth's staff can still sign in elsewhere.
    assert login(app.test_client(), "b07")


def test_after_a_short_cool_down_the_right_password_leaves_slip_mode(app, fair):
    from datetime import timedelta

    from kiosk.auth.models import LoginAttempt
    from kiosk.auth.signin_limits import SLIP_EXIT_COOLDOWN
    item = request_in(fair, Status.resolved)
    tablet = login(app.test_client(), "b07")
    hand_over(tablet, item)
    token = csrf_token(tablet, "/slip")
    for _ in range(LOGIN_FAILURES):
        tablet.post("/slip/exit", data={"password": "guess", "csrf_token": token})
    assert tablet.post("/slip/exit", data={"password": PASSWORD, "csrf_token": token}).status_code == 429
    # A minute later (not fifteen), the staff's password works.
    db.session.execute(sa.update(LoginAttempt).values(at=LoginAttempt.at - SLIP_EXIT_COOLDOWN - timedelta(seconds=1)))
    db.session.commit()
    back = tablet.post("/slip/exit", data={"password": PASSWORD, "csrf_token": token})
    assert back.headers["Location"] == f"/staff/requests/{item.id}"


def test_slip_mode_is_refused_before_an_outcome_and_for_another_booth(app, fair, organiser):
    item = request_in(fair)
    tablet = login(app.test_client(), "b07")
    assert hand_over(tablet, item).headers["Location"] == f"/staff/requests/{item.id}"
    assert tablet.get("/slip").headers["Location"] == "/staff/"
    other = login(app.test_client(), "f01")
    workflow.resolve(item, organiser, item.version, resolution="办结")
    db.session.commit()
    assert hand_over(other, item).status_code == 404


def test_an_organiser_types_in_a_paper_slip_with_its_number(app, fair, organiser):
    item = request_in(fair, Status.resolved)
    boss = login(app.test_client(), "organiser")
    url = f"/staff/requests/{item.id}/paper-slip"
    assert "录入纸质测评表" in boss.get(f"/staff/requests/{item.id}").get_data(as_text=True)
    assert boss.get(url).status_code == 200
    bad = boss.post(url, data={**GOOD, "integrity": None, "csrf_token": csrf_token(boss, url)})
    assert bad.status_code == 422 and "请选择一项评价" in bad.get_data(as_text=True)
    unnumbered = boss.post(url, data={**GOOD, "csrf_token": csrf_token(boss, url)})
    assert unnumbered.status_code == 422 and "请填写纸质测评表上的编号" in unnumbered.get_data(as_text=True)
    ok = boss.post(url, data={**GOOD, "paper_number": "No.0042", "csrf_token": csrf_token(boss, url)})
    assert ok.status_code == 302
    slip, = slips()
    assert slip.channel is SlipChannel.paper and slip.entered_by.username == "organiser"
    assert slip.paper_number == "No.0042"


def test_staff_of_the_lead_or_a_joint_booth_cannot_type_in_a_paper_slip(app, fair, organiser):
    item = request_in(fair, Status.resolved, joined=["F01"])
    url = f"/staff/requests/{item.id}/paper-slip"
    for username in ("b07", "f01"):
        staff = login(app.test_client(), username)
        assert "录入纸质测评表" not in staff.get(f"/staff/requests/{item.id}").get_data(as_text=True)
        assert staff.get(url).status_code == 403
        answer = staff.post(url, data={**GOOD, "paper_number": "1", "csrf_token": csrf_token(staff, "/login")})
        assert answer.status_code == 403
    assert slips() == []
    assert post_slip(app.test_client(), item).status_code == 303  # the company can still rate
    slip, = slips()
    assert slip.channel is SlipChannel.phone


def test_the_service_refuses_a_paper_slip_from_the_rated_booth(app, fair):
    from kiosk.auth.models import User
    from kiosk.slips.service import SlipRefused
    item = request_in(fair, Status.resolved)
    staff = db.session.scalar(sa.select(User).where(User.username == "b07"))
    with pytest.raises(SlipRefused) as refused:
        give_slip(item, answers(5), SlipChannel.paper, entered_by=staff, paper_number="7")
    assert refused.value.reason == "own_booth"


def test_staff_never_see_which_company_gave_which_rating(app, fair, organiser):
    item = request_in(fair, Status.resolved, slip=answers(1, confirmed=False, comment="态度很差"))
    staff = login(app.test_client(), "b07")
    html = staff.get(f"/staff/requests/{item.id}").get_data(as_text=True)
    assert "企业已完成评价" in html
    assert "态度很差" not in html and "非常不满意" not in html and "差评回访" not in html
    queue = staff.get(f"/staff/booths/{booth(fair, 'B07').id}").get_data(as_text=True)
    assert "已收 1 / 1 份 · 满意率 0%（含基本满意） · 总体平均 1.0 分" in queue and "态度很差" not in queue
    assert staff.get("/followups").status_code == 403
    boss = login(app.test_client(), "organiser")
    html = boss.get(f"/staff/requests/{item.id}").get_data(as_text=True)
    assert "态度很差" in html and "非常不满意" in html and "差评回访" in html


def test_organiser_records_a_follow_up_call_and_closes_the_flag(app, fair, organiser):
    from kiosk.figures.satisfaction import satisfaction
    item = request_in(fair, Status.resolved, slip=answers(2))
    slip = item.slip
    assert satisfaction(fair_id=fair.id).flags_open == 1
    boss = login(app.test_client(), "organiser")
    listing = boss.get("/followups").get_data(as_text=True)
    assert item.ticket_no in listing and "待回访" in listing
    url = f"/followups/{slip.id}"
    bad = boss.post(url, data={"called_at": "", "spoke_with": "", "said": "", "csrf_token": csrf_token(boss, url)})
    assert bad.status_code == 422 and "请填写回访时间" in bad.get_data(as_text=True)
    first = {"called_at": "2026-06-14T10:30", "spoke_with": "王经理", "said": "等待时间太长",
             "fixed": "", "csrf_token": csrf_token(boss, url)}
    boss.post(url, data=first)
    assert satisfaction(fair_id=fair.id).flags_open == 1  # called, but not closed
    boss.post(url, data={**first, "said": "已满意", "fixed": "增派人手", "close": "y"})
    db.session.expire_all()
    assert [c.said for c in slip.calls] == ["等待时间太长", "已满意"]
    assert slip.calls[1].fixed == "增派人手" and slip.calls[0].caller.username == "organiser"
    assert not slip.flag_open and satisfaction(fair_id=fair.id).flags_open == 0
    assert "已关闭" in boss.get("/followups").get_data(as_text=True)
    staff = login(app.test_client(), "b07")
    assert "差评回访" not in staff.get(f"/staff/requests/{item.id}").get_data(as_text=True)


def test_slip_is_on_the_trail_without_its_content(client, fair):
    item = request_in(fair, Status.resolved)
    post_slip(client, item)
    db.session.expire_all()
    assert item.events[-1].kind.value == "slip" and "5" not in (item.events[-1].detail or "")


def test_a_slip_sent_twice_at_once_is_kept_once(app, fair):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from kiosk.service_requests.models import ServiceRequest
    from kiosk.slips.service import SlipRefused
    request_id = request_in(fair, Status.resolved).id
    barrier = Barrier(3)

    def send(_):
        with app.app_context():
            item = db.session.get(ServiceRequest, request_id)
            assert item.slip is None
            barrier.wait()
            try:
                give_slip(item, answers(5), SlipChannel.phone)
                db.session.commit()
                return "saved"
            except SlipRefused as refused:
                return refused.reason

    with ThreadPoolExecutor(3) as pool:
        assert sorted(pool.map(send, range(3))) == ["given", "given", "saved"]
    assert len(slips()) == 1
