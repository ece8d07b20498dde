"""Parked items (挂账): a department asks, with a cause and a review day; an organiser approves,
refuses or resumes; each move checks the version seen and who makes it. A parked item is counted
apart in every figure (never overdue, never done) and is back, overdue again, on its review day."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.ledger import moves, rounds
from kiosk.ledger.figures import ledger_figures, overdue_count
from kiosk.ledger.listing import LedgerFilter, ledger_page
from kiosk.scoreboard.disclosure import disclosure_figures
from kiosk.scoreboard.figures import scoreboard
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from kiosk.supervision import parking
from kiosk.supervision.parking import ParkingRefused
from kiosk.supervision.parking_models import Parking, ParkingStatus
from tests.factories import an_organiser, booth, department_staff, request_in
from tests.helpers import csrf_token, login

TODAY = date.today()
#: an item whose due date passed ten days ago
PAST_DUE = TODAY - timedelta(days=10)
REVIEW = TODAY + timedelta(days=30)


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def past_due(fair, at="B07") -> ServiceRequest:
    """A planned item of the fair (13 June 2026) whose due date passed ten days ago."""
    item = request_in(fair, Status.planned, at)
    item.plan_due = item.current_due = PAST_DUE
    db.session.commit()
    return item


def asked(item, *, review=REVIEW, cause=ParkCause.higher_level) -> Parking:
    staff = department_staff(item.booth.department)
    found = parking.ask(item, staff, item.version, cause=cause, explanation="需省自然资源厅调整用地指标",
                        review_on=review, today=TODAY)
    db.session.commit()
    return found


def approved(item, **kwargs) -> ServiceRequest:
    asked(item, **kwargs)
    parking.approve(item, an_organiser(), item.version, note=None, today=TODAY)
    db.session.commit()
    return fresh(item)


def test_an_organisers_own_ask_parks_the_item_at_once(fair):
    """An organiser's ask is their own decision: approved in the same move (it failed, reading the
    new parking's state before the flush had given it one)."""
    item = past_due(fair)
    found = parking.ask(item, an_organiser(), item.version, cause=ParkCause.policy, explanation="政策调整中",
                        review_on=REVIEW, today=TODAY)
    db.session.commit()
    assert found.status is ParkingStatus.approved
    assert fresh(item).parked_on(TODAY) and fresh(item).parked_until == REVIEW


@pytest.fixture
def staff(app, fair):
    department_staff(booth(fair, "B07").department, username="dept-b07")
    department_staff(booth(fair, "F01").department, username="dept-f01")
    db.session.commit()
    return login(app.test_client(), "dept-b07")


def post(client, item, url, prefix, **data):
    token = csrf_token(client, f"/ledger/items/{item.id}")
    return client.post(url, data={"csrf_token": token, f"{prefix}-version": fresh(item).version,
                                  **{f"{prefix}-{k}": v for k, v in data.items()}})


def test_the_department_asks_and_nothing_is_parked_until_an_organiser_approves(fair):
    item = past_due(fair)
    ask = asked(item)
    item = fresh(item)
    assert ask.status is ParkingStatus.asked and item.parked_until is None and not item.parked_on(TODAY)
    assert item.events[-1].kind is EventKind.park_asked and "需上级协调解决" in item.events[-1].detail
    assert item.overdue_on(TODAY) and overdue_count(TODAY) == 1
    parking.approve(item, an_organiser(), item.version, note="同意，报市政府协调", today=TODAY)
    db.session.commit()
    item = fresh(item)
    assert (item.parked_until, item.park_cause) == (REVIEW, ParkCause.higher_level)
    assert item.parkings[-1].status is ParkingStatus.approved and item.events[-1].kind is EventKind.parked
    assert item.parked_on(TODAY) and not item.overdue_on(TODAY) and item.status is Status.planned


def test_every_move_checks_the_version_seen_and_who_makes_it(fair):
    item = past_due(fair)
    other = department_staff(booth(fair, "F01").department)
    stale = item.version
    with pytest.raises(ParkingRefused) as refused:
        parking.ask(item, other, item.version, cause=ParkCause.policy, explanation="x", review_on=REVIEW, today=TODAY)
    assert refused.value.code == "not_yours"
    asked(item)
    with pytest.raises(ParkingRefused) as refused:
        parking.approve(fresh(item), an_organiser(), stale, note=None, today=TODAY)
    assert refused.value.code == "conflict"
    item = fresh(item)
    with pytest.raises(ParkingRefused) as refused:  # the department does not approve its own ask
        parking.approve(item, department_staff(item.booth.department), item.version, note=None, today=TODAY)
    assert refused.value.code == "organisers_only"
    with pytest.raises(ParkingRefused) as refused:  # one ask waits at a time
        parking.ask(item, department_staff(item.booth.department), item.version, cause=ParkCause.other,
                    explanation="再次申请", review_on=REVIEW, today=TODAY)
    assert refused.value.code == "pending"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Parking.id))) == 1


@pytest.mark.parametrize(("days", "code"), [(0, "review_past"), (-3, "review_past"), (366, "review_far")])
def test_a_review_day_not_after_today_or_past_the_ceiling_is_refused(app, fair, days, code):
    item = past_due(fair)
    with pytest.raises(ParkingRefused) as refused:
        asked(item, review=TODAY + timedelta(days=days))
    assert refused.value.code == code
    with app.test_request_context():  # the message names the latest day allowed
        assert str(TODAY + timedelta(days=365)) in str(refused.value.message) or code != "review_far"
    db.session.rollback()
    assert asked(fresh(item), review=TODAY + timedelta(days=365)).review_on == TODAY + timedelta(days=365)


def test_a_refusal_keeps_the_item_as_it_was_with_the_reason(fair):
    item = past_due(fair)
    asked(item)
    parking.refuse(fresh(item), an_organiser(), fresh(item).version, reason="属部门职责，应按期办结")
    db.session.commit()
    item = fresh(item)
    assert item.parkings[-1].status is ParkingStatus.refused and item.parked_until is None
    assert item.events[-1].kind is EventKind.park_refused and item.events[-1].detail == "属部门职责，应按期办结"
    assert item.overdue_on(TODAY)
    assert asked(item).status is ParkingStatus.asked  # it may ask again


def test_a_parked_past_due_item_is_overdue_in_no_figure_and_back_on_its_review_day(fair):
    parked, late = approved(past_due(fair)), past_due(fair, "B01")
    department = booth(fair, "B07").department_id
    figures = ledger_figures(TODAY)
    assert (figures.overdue, figures.parked, figures.open) == (1, 1, 1)
    assert figures.items == figures.open + figures.parked + figures.done + figures.closed_out
    assert overdue_count(TODAY) == 1 and overdue_count(TODAY, department_id=department) == 0
    rows, total = ledger_page(LedgerFilter(overdue=True), TODAY)
    assert [row.id for row in rows] == [late.id] and total == 1
    assert [row.id for row in ledger_page(LedgerFilter(status="parked"), TODAY)[0]] == [parked.id]
    half = Period.of("half", fair.date)
    row = scoreboard(half, as_of=TODAY).row_of(department)
    assert (row.inputs.open_overdue, row.inputs.parked) == (0, 1)
    assert row.closeout_rate is None  # nothing closed out nor overdue: the rate has no denominator
    disclosure = disclosure_figures(half, as_of=TODAY)
    assert (disclosure["totals"]["open_overdue"], disclosure["totals"]["parked"]) == (1, 1)
    # On its review day it is back, overdue again, in every figure; the day before it is not.
    assert not parked.overdue_on(REVIEW - timedelta(days=1)) and parked.overdue_on(REVIEW)
    figures = ledger_figures(REVIEW)
    assert (figures.overdue, figures.parked, figures.open) == (2, 0, 2)
    assert overdue_count(REVIEW, department_id=department) == 1
    assert {row.id for row in ledger_page(LedgerFilter(overdue=True), REVIEW)[0]} == {parked.id, late.id}
    assert scoreboard(half, as_of=REVIEW).row_of(department).inputs.open_overdue == 1


def test_a_rounds_frozen_figures_count_parked_apart_from_overdue(fair, organiser):
    parked, _late = approved(past_due(fair)), past_due(fair, "B01")
    year, quarter = rounds.quarter_of(TODAY)
    round_ = rounds.open_round(year, quarter, organiser, today=TODAY)
    frozen = rounds.freeze(round_, TODAY)
    assert (frozen["figures"]["overdue"], frozen["figures"]["parked"]) == (1, 1)
    assert [r["parked"] for r in frozen["rows"] if r["ticket"] == parked.ticket_no] == [True]
    assert "挂账的不计" in frozen["definitions"]["overdue"]


def test_an_organiser_resumes_it_before_its_review_day(fair):
    item = approved(past_due(fair))
    with pytest.raises(ParkingRefused):  # a department does not end it
        parking.resume(item, department_staff(item.booth.department), item.version, reason="可以办了", today=TODAY)
    db.session.rollback()
    item = fresh(item)
    parking.resume(item, an_organiser(), item.version, reason="省厅已下达指标", today=TODAY)
    db.session.commit()
    item = fresh(item)
    assert item.parked_until == TODAY and not item.parked_on(TODAY) and item.overdue_on(TODAY)
    assert item.park_cause is ParkCause.higher_level  # what it was parked for, for the analysis
    assert item.parkings[-1].ended_on == TODAY and item.parkings[-1].end_note == "省厅已下达指标"
    assert item.events[-1].kind is EventKind.reopened and "提前结束挂账" in item.events[-1].detail
    with pytest.raises(ParkingRefused) as refused:
        parking.resume(item, an_organiser(), item.version, reason="再次", today=TODAY)
    assert refused.value.code == "not_parked"


def test_a_parked_item_reported_done_is_parked_no_more(fair):
    item = approved(past_due(fair))
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结", evidence="批复")
    db.session.commit()
    item = fresh(item)
    assert item.status is Status.done and not item.parked_on(TODAY) and item.parkings[-1].ended_by_report
    figures = ledger_figures(TODAY)
    assert (figures.parked, figures.done) == (0, 1)


def test_asking_again_while_parked_moves_the_review_day_when_approved(fair):
    item = approved(past_due(fair))
    later = REVIEW + timedelta(days=30)
    item = approved(item, review=later, cause=ParkCause.policy)
    assert (item.parked_until, item.park_cause) == (later, ParkCause.policy)
    first, second = item.parkings
    assert first.ended_on == TODAY and second.running_on(TODAY) and not first.running_on(TODAY)


def test_an_ask_whose_review_day_has_come_is_not_approved(fair):
    item = past_due(fair)
    asked(item, review=TODAY + timedelta(days=1))
    with pytest.raises(ParkingRefused) as refused:
        parking.approve(fresh(item), an_organiser(), fresh(item).version, note=None, today=TODAY + timedelta(days=1))
    assert refused.value.code == "review_passed"


# --- through the pages ------------------------------------------------------------------------------

def test_ask_and_approve_through_the_item_page(app, fair, organiser, staff):
    item = past_due(fair)
    page = staff.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert "申请挂账" in page and "需上级协调解决" in page
    answer = post(staff, item, f"/supervision/items/{item.id}/park", "park-ask", cause="higher_level",
                  explanation="需省厅调整指标", review_on=REVIEW.isoformat())
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/ledger/items/{item.id}#parking")
    assert "挂账待审批" in staff.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    # The department cannot approve, not even by a forged POST.
    forged = post(staff, item, f"/supervision/items/{item.id}/park/approve", "park-approve")
    assert forged.status_code == 403 and fresh(item).parked_until is None
    boss = login(app.test_client(), organiser.username)
    assert "批准挂账" in boss.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert post(boss, item, f"/supervision/items/{item.id}/park/approve", "park-approve").status_code == 303
    page = staff.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert "挂账中" in page and str(REVIEW) in page and "需省厅调整指标" in page
    listed = boss.get("/ledger?status=parked").get_data(as_text=True)
    assert item.ticket_no in listed


def test_a_bad_ask_says_what_to_mend_and_keeps_what_was_typed(app, fair, staff):
    item = past_due(fair)
    answer = post(staff, item, f"/supervision/items/{item.id}/park", "park-ask", cause="",
                  explanation="需省厅调整指标", review_on=TODAY.isoformat())
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "请选择挂账原因" in page and "复核日期必须晚于今天" in page
    assert "需省厅调整指标" in page and fresh(item).parkings == []
    stale = staff.post(f"/supervision/items/{item.id}/park", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_token(staff, f"/ledger/items/{item.id}"), "park-ask-version": fresh(item).version - 1,
        "park-ask-cause": "policy", "park-ask-explanation": "政策待明确", "park-ask-review_on": REVIEW.isoformat()})
    assert stale.status_code == 200 and "刚被其他人更新过" in stale.get_data(as_text=True)
    assert "政策待明确" in stale.get_data(as_text=True) and fresh(item).parkings == []


def test_another_department_cannot_reach_the_parking_steps(app, fair, staff):
    item = past_due(fair)
    other = login(app.test_client(), "dept-f01")
    answer = post(staff, item, f"/supervision/items/{item.id}/park", "park-ask", cause="policy",
                  explanation="x", review_on=REVIEW.isoformat())
    assert answer.status_code == 303
    token = csrf_token(other, "/ledger")
    assert other.post(f"/supervision/items/{item.id}/park", data={"csrf_token": token}).status_code == 404
    assert other.post(f"/supervision/items/{item.id}/park/refuse", data={"csrf_token": token}).status_code == 403


def test_the_company_reads_that_its_matter_waits_and_until_when_not_why(client, fair):
    item = approved(past_due(fair))
    page = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "暂缓办理" in page and str(REVIEW) in page
    assert "需省自然资源厅调整用地指标" not in page and "需上级协调解决" not in page


def test_the_api_says_parked_and_not_overdue(app, fair):
    from kiosk.api.models import ApiScope
    from kiosk.api.tokens import issue_token
    item = approved(past_due(fair))
    _record, secret = issue_token("test", ApiScope.public, None)
    db.session.commit()
    shown = app.test_client().get(f"/api/v1/ledger-items/{item.id}",
                                  headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert shown["overdue"] is False and shown["parked_until"] == REVIEW.isoformat()


@pytest.mark.parametrize("step", ["ask", "approve", "refuse", "resume"])
def test_each_parking_move_reaches_every_page_that_shows_the_item(app, fair, organiser, step):
    """As tests/test_changes.py checks the ledger's moves: the ledger's lists (organisers', the
    department's), the item's page, the dashboard, the API and the tracking page see it; another
    department's ledger does not move."""
    from tests.test_changes import LedgerScreens
    item = past_due(fair)
    if step in ("approve", "refuse"):
        asked(item)
    if step == "resume":
        approved(item)
    screens = LedgerScreens(app, fair, organiser, item)
    staff = department_staff(item.booth.department)
    change, shown, company = {
        "ask": (lambda: parking.ask(fresh(item), staff, fresh(item).version, cause=ParkCause.legacy,
                                    explanation="历史遗留用地手续", review_on=REVIEW, today=TODAY),
                "历史遗留用地手续", None),
        "approve": (lambda: parking.approve(fresh(item), organiser, fresh(item).version, note="同意", today=TODAY),
                    f"复核日期 {REVIEW.isoformat()}", "暂缓办理"),
        "refuse": (lambda: parking.refuse(fresh(item), organiser, fresh(item).version, reason="应按期办结"),
                   "应按期办结", None),
        "resume": (lambda: parking.resume(fresh(item), organiser, fresh(item).version, reason="指标已下达",
                                          today=TODAY), "指标已下达", None),
    }[step]
    screens.after(change, expect={"ledger": None, "ledger B07": None, "item": shown, "dashboard": None, "api": None,
                                  "tracking": company}, unchanged=["ledger F01"])
