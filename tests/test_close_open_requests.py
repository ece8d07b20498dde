"""Nothing left open at the close (issue 24, part 1): the close page lists exactly the requests still
waiting or in progress, takes each to the end the organiser chose (handed to its booth's department,
会后办理, with a reply deadline; or ended with a reason) in one irreversible step, and refuses while a
request it was not told about is open. The tally, the scoreboard's on-time reply, the tracking page,
the tablets and the API then say what happened, hand-counted here."""
import copy
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.api.models import ApiScope
from kiosk.api.tokens import issue_token
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Fair, FairStatus
from kiosk.figures.hall import latest_outcomes
from kiosk.figures.periods import Period
from kiosk.figures.tally import tally_of
from kiosk.organiser.fair_lifecycle import FairMoveRefused, NewlyOpen, close_fair, reopen_fair
from kiosk.scoreboard.disclosure import disclosure_figures
from kiosk.scoreboard.figures import scoreboard
from kiosk.service_requests import workflow
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from kiosk.slips.models import DIMENSIONS, SlipChannel
from kiosk.slips.service import SlipRefused, give_slip
from kiosk.tally.report import tally_pdf
from tests.factories import answers, booth, department_staff, request_in
from tests.helpers import csrf_token, login, pdf_text

#: a reply deadline the organiser types (twelve days on: after today wherever the test runs)
DUE = date.today() + timedelta(days=12)
DEPARTMENT = "测试要素保障大集工业和信息化局"  # B07's, as tests.factories names it


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


@pytest.fixture
def left(fair):
    """B07: two resolved, one planned, one waiting, one in progress, one withdrawn at the booth; B02:
    one waiting; F01: one planned. Four open: B07's waiting and in progress, B02's waiting, and one
    filed at B01 and transferred to B07 (its lead booth is B07's, so its department is B07's)."""
    s = Status
    items = {
        "resolved1": request_in(fair, s.resolved, "B07"), "resolved2": request_in(fair, s.resolved, "B07"),
        "planned": request_in(fair, s.planned, "B07", due=DUE), "waiting": request_in(fair, s.waiting, "B07"),
        "in_progress": request_in(fair, s.in_progress, "B07"), "withdrawn": request_in(fair, s.withdrawn, "B07"),
        "b02": request_in(fair, s.waiting, "B02"), "bank": request_in(fair, s.planned, "F01", due=DUE),
        "moved": request_in(fair, s.waiting, "B01", transferred_to="B07"),
    }
    return items


def url(fair):
    return f"/organiser/fairs/{fair.id}/close"


def post(client, fair, data):
    return client.post(url(fair), data={"csrf_token": csrf_token(client, "/login"), **data})


#: the fixture's open requests
OPEN = ("waiting", "in_progress", "b02", "moved")


def choices(items, **chosen):
    """The page's selects as posted: each open item handed over unless chosen otherwise."""
    return {f"end-{items[name].id}": chosen.get(name, "handover") for name in OPEN}


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def status_of(fair) -> FairStatus:
    db.session.expire_all()
    return db.session.get(Fair, fair.id).status


def selected(page: str, item) -> str:
    select = re.search(rf'<select name="end-{item.id}".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected', select).group(1)


def test_the_close_page_lists_exactly_the_open_requests_each_to_be_handed_to_its_department(app, boss, fair, left):
    page = boss.get(url(fair)).get_data(as_text=True)
    listed = re.findall(r'<select name="end-(\d+)"', page)
    assert sorted(map(int, listed)) == sorted(left[name].id for name in ("waiting", "in_progress", "b02", "moved"))
    assert "仍未办完：3项待受理，1项正在办理" in page
    for name in ("waiting", "in_progress", "b02", "moved"):
        assert selected(page, left[name]) == "handover"
    # Each is offered to its lead booth's department: the transferred one to B07's, not B01's.
    moved = re.search(rf'<select name="end-{left["moved"].id}".*?</select>', page, re.S).group(0)
    assert ">转会后办理</option>" in moved
    row = re.search(rf'<tr id="open-{left["moved"].id}">.*?</tr>', page, re.S).group(0)
    assert f"B07 {DEPARTMENT}" in row
    assert "结束：企业未返回" in moved and "结束：重复提交" in moved and "结束：企业撤回" in moved
    # The deadline defaults to the fifth working day after today (China's calendar).
    default = add_working_days(fair_today(), 5)
    assert re.search(rf'<input [^>]*name="due"[^>]*type="date" value="{default.isoformat()}"', page)
    assert status_of(fair) is FairStatus.open  # looking closes nothing


def test_the_close_hands_over_and_ends_exactly_as_chosen_in_one_step(app, boss, fair, left, organiser):
    response = post(boss, fair, {**choices(left, in_progress="duplicate", b02="no_return"), "due": DUE.isoformat(),
                                 "confirmed": "yes"})
    assert response.status_code == 302
    assert status_of(fair) is FairStatus.closed
    today = fair_today()
    for name in ("waiting", "moved"):
        item = fresh(left[name])
        assert (item.status, item.handed_over_on, item.plan_due, item.current_due) == (
            Status.planned, today, DUE, DUE)
        assert item.plan_unit == DEPARTMENT and item.plan_text is None and item.end_reason is None
        event = item.events[-1]
        assert (event.kind, event.from_status, event.to_status) == (EventKind.handed_over, Status.waiting,
                                                                   Status.planned)
        assert event.detail == f"{DEPARTMENT} · {DUE.isoformat()}" and event.actor_id == organiser.id
    for name, reason, label in (("in_progress", EndReason.duplicate, "重复提交"),
                                ("b02", EndReason.no_return, "企业未返回")):
        item = fresh(left[name])
        assert (item.status, item.end_reason, item.handed_over_on) == (Status.withdrawn, reason, None)
        assert (item.events[-1].kind, item.events[-1].detail) == (EventKind.ended, label)
    # Nothing else moved, and nothing of the fair is waiting or in progress.
    assert fresh(left["planned"]).handed_over_on is None and fresh(left["withdrawn"]).end_reason is None
    still = db.session.scalar(sa.select(sa.func.count()).where(
        ServiceRequest.fair_id == fair.id, ServiceRequest.status.in_([Status.waiting, Status.in_progress])))
    assert still == 0
    shown = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert f"大集已闭幕，统计已冻结。2项转会后办理，答复时限{DUE.isoformat()}。2项已结束。" in shown


def test_the_bulk_buttons_set_every_end_alike_and_close_nothing(app, boss, fair, left):
    page = post(boss, fair, {**choices(left), "due": DUE.isoformat(), "set_all": "no_return"})
    assert page.status_code == 200 and status_of(fair) is FairStatus.open
    text = page.get_data(as_text=True)
    assert all(selected(text, left[name]) == "no_return" for name in ("waiting", "in_progress", "b02", "moved"))
    assert f'value="{DUE.isoformat()}"' in text  # the deadline typed is kept
    again = post(boss, fair, {**choices(left, waiting="duplicate"), "due": DUE.isoformat(), "set_all": "handover"})
    assert all(selected(again.get_data(as_text=True), left[name]) == "handover"
               for name in ("waiting", "in_progress", "b02", "moved"))


def test_a_request_filed_after_the_organiser_looked_refuses_the_close_and_is_listed_with_the_choices_kept(
        app, boss, fair, left):
    seen = choices(left, in_progress="duplicate")  # what the page showed, as the organiser set it
    late = request_in(fair, Status.waiting, "F02")  # filed meanwhile
    response = post(boss, fair, {**seen, "due": DUE.isoformat(), "confirmed": "yes"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert f"您查看之后又有需求提交或退回办理（{late.ticket_no}），大集没有闭幕。" in text
    assert status_of(fair) is FairStatus.open
    assert fresh(late).status is Status.waiting and fresh(left["waiting"]).status is Status.waiting
    assert fresh(left["waiting"]).handed_over_on is None  # nothing of the refused close stays
    assert selected(text, late) == "handover" and selected(text, left["in_progress"]) == "duplicate"
    # Looked at again, with the new one's end chosen: closed, the late one handed over too.
    ok = post(boss, fair, {**seen, f"end-{late.id}": "handover", "due": DUE.isoformat(), "confirmed": "yes"})
    assert ok.status_code == 302 and fresh(late).was_handed_over
    assert fresh(late).plan_unit == "测试要素保障大集齐鲁银行"


def test_a_listed_request_given_an_outcome_meanwhile_keeps_it(app, boss, fair, left, organiser):
    seen = choices(left)  # the page as the organiser saw it; then the booth resolves one of them
    item = fresh(left["in_progress"])
    workflow.resolve(item, organiser, item.version, resolution="当场答复")
    db.session.commit()
    response = post(boss, fair, {**seen, "due": DUE.isoformat(), "confirmed": "yes"})
    assert response.status_code == 302
    assert fresh(left["in_progress"]).status is Status.resolved
    shown = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert f"{left['in_progress'].ticket_no} 在您查看后已有办理结果，按其结果计入。" in shown


@pytest.mark.parametrize("due, message", [
    (lambda today: today, "答复时限须晚于闭幕当天。"),
    (lambda today: today - timedelta(days=3), "答复时限须晚于闭幕当天。"),
    # the ceiling every due date keeps (EXTENSION_CEILING_DAYS past the close day, as a plan's)
    (lambda today: today + timedelta(days=366),
     "（闭幕日后 365 天，与延期上限相同）。"),
    (lambda today: "2026-02-31", "请按 年-月-日 填写答复时限"),
    (lambda today: "", "请填写答复时限"),
])
def test_a_deadline_that_cannot_be_is_refused_with_a_message_and_nothing_closes(app, boss, fair, left, due, message):
    value = due(fair_today())
    response = post(boss, fair, {**choices(left, b02="duplicate"),
                                 "due": value if isinstance(value, str) else value.isoformat(), "confirmed": "yes"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text and status_of(fair) is FairStatus.open
    assert selected(text, left["b02"]) == "duplicate"  # the choices are kept
    assert fresh(left["waiting"]).status is Status.waiting


def test_without_the_tick_the_close_is_refused_with_the_box_open_and_the_choices_kept(app, boss, fair, left):
    response = post(boss, fair, {**choices(left, moved="company_withdrew"), "due": DUE.isoformat()})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert '<details class="irreversible" id="fair-close" open>' in text and "还没有勾选确认" in text
    assert selected(text, left["moved"]) == "company_withdrew" and status_of(fair) is FairStatus.open


def test_a_choice_the_page_never_offered_is_refused(app, boss, fair, left):
    response = post(boss, fair, {**choices(left, waiting="planned"), "due": DUE.isoformat(), "confirmed": "yes"})
    assert response.status_code == 422 and "有需求的去向没有选好" in response.get_data(as_text=True)
    assert status_of(fair) is FairStatus.open


def test_another_fairs_request_named_in_the_post_is_left_alone(app, boss, fair, left):
    from tests.factories import make_fair
    other = make_fair(name="另一场大集", prefix="o")
    theirs = request_in(other, Status.waiting, "B07")
    response = post(boss, fair, {**choices(left), f"end-{theirs.id}": "duplicate", "due": DUE.isoformat(),
                                 "confirmed": "yes"})
    assert response.status_code == 302
    assert fresh(theirs).status is Status.waiting and fresh(theirs).end_reason is None
    assert theirs.ticket_no not in boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)


def test_every_other_path_hands_every_open_request_over_or_refuses(app, fair, left, organiser):
    """A close with no choices (a script, the demo) hands all over, by the setting's working days; a
    close told of some requests is refused while another is open, and keeps nothing once rolled back."""
    with pytest.raises(NewlyOpen) as refused:
        close_fair(fair, organiser, {left["waiting"].id: None})
    assert set(refused.value.tickets) == {left[n].ticket_no for n in ("in_progress", "b02", "moved")}
    db.session.rollback()
    assert status_of(fair) is FairStatus.open
    current_app.config["AFTER_FAIR_REPLY_WORKING_DAYS"] = 3
    closed = close_fair(fair, organiser)
    db.session.commit()
    assert sorted(closed.handed_over) == sorted(left[n].ticket_no for n in ("waiting", "in_progress", "b02", "moved"))
    assert fresh(left["b02"]).plan_due == add_working_days(fair_today(), 3)
    assert fresh(left["b02"]).plan_unit == "测试要素保障大集行政审批服务局"


def test_a_closed_fair_refuses_a_second_close_and_its_reopening_keeps_what_the_close_did(app, fair, left, organiser):
    close_fair(fair, organiser, due=DUE)
    db.session.commit()
    with pytest.raises(FairMoveRefused):
        close_fair(fair, organiser)
    db.session.rollback()
    reopen_fair(db.session.get(Fair, fair.id), organiser, "补录需求")
    db.session.commit()
    item = fresh(left["waiting"])
    assert item.was_handed_over and item.status is Status.planned
    # Reopened by its booth at the reopened fair, it is open again, the close's mark gone with its plan.
    workflow.reopen(item, organiser, item.version, reason="补录时发现企业仍在现场")
    db.session.commit()
    item = fresh(left["waiting"])
    assert (item.status, item.handed_over_on, item.plan_due) == (Status.in_progress, None, None)


def test_the_frozen_tally_counts_handed_over_and_ended_apart_on_the_page_and_in_the_pdf(app, boss, fair, left):
    post(boss, fair, {**choices(left, b02="no_return"), "due": DUE.isoformat(), "confirmed": "yes"})
    db.session.expire_all()
    closed = db.session.get(Fair, fair.id)
    tally, frozen = tally_of(closed)
    assert frozen
    counts = ("received", "resolved", "planned", "handed_over", "open", "withdrawn", "ended")
    b07 = next(b for z in tally["zones"] for b in z["booths"] if b["code"] == "B07")
    # B07: resolved 2, planned 1, handed over 3 (waiting, in progress, moved), withdrawn 1.
    assert tuple(b07[k] for k in counts) == (6, 2, 1, 3, 0, 1, 0)
    b02 = next(b for z in tally["zones"] for b in z["booths"] if b["code"] == "B02")
    assert tuple(b02[k] for k in counts) == (0, 0, 0, 0, 0, 0, 1)
    assert tuple(tally["totals"][k] for k in counts) == (7, 2, 2, 3, 0, 1, 1)
    # 现场拿出解决方案 lists the two plans given at the fair, not the three handed over.
    assert sorted(i["ticket"] for i in tally["planned_items"]) == sorted(
        [left["planned"].ticket_no, left["bank"].ticket_no])
    assert sorted((i["ticket"], i["unit"], i["due"]) for i in tally["handed_over_items"]) == sorted(
        (left[n].ticket_no, DEPARTMENT, DUE.isoformat()) for n in ("waiting", "in_progress", "moved"))
    assert [(i["ticket"], i["reason"]) for i in tally["ended_items"]] == [(left["b02"].ticket_no, "no_return")]
    headline = ("全场共受理企业需求7项，其中2项现场办结，2项现场拿出解决方案，3项闭幕时转会后办理。"
                "另有1项闭幕时结束，不计入受理。")
    page = boss.get(f"/organiser/fairs/{fair.id}/tally").get_data(as_text=True)
    with app.test_request_context():
        _, _, data = tally_pdf(closed)
    printed = pdf_text(data).replace(" ", "").replace("\n", "")
    for text in (page, printed):
        assert headline in text
        assert "现场拿出解决方案的需求（2项）" in text and "闭幕时转会后办理的需求（3项）" in text
        assert "闭幕时结束的需求（1项）" in text and "结束原因：企业未返回" in text
        assert "受理数=现场办结+拿出方案+会后办理+正在办理" in text.replace(" ", "")
    # The chart's bar for B07 is as long as its received, with a segment for what was handed over.
    bar = re.search(r'<tr data-key="B07">.*?</tr>', page, re.S).group(0)
    assert 'class="seg seg-handed_over"' in bar and 'data-value="3"' in bar


def test_a_tally_frozen_before_the_close_handed_anything_over_reads_as_it_did(app, fair, left, organiser):
    close_fair(fair, organiser, due=DUE)
    old = copy.deepcopy(db.session.get(Fair, fair.id).tally_snapshot)  # (as one frozen before 0028 was)
    for row in [old["totals"], *(z["totals"] for z in old["zones"]), *(b for z in old["zones"] for b in z["booths"]),
                *old["categories"]]:
        row["open"] += row.pop("handed_over")
        del row["ended"]
    del old["handed_over_items"], old["ended_items"]
    fair.tally_snapshot = old
    db.session.commit()
    tally, _ = tally_of(db.session.get(Fair, fair.id))
    assert tally["totals"]["handed_over"] == 0 and tally["totals"]["open"] == 4 and tally["handed_over_items"] == []


def test_on_time_reply_and_plans_given_leave_handed_over_requests_out(app, fair, left, organiser):
    close_fair(fair, organiser, {left["waiting"].id: None, left["in_progress"].id: None, left["moved"].id: None,
                                 left["b02"].id: EndReason.duplicate}, due=DUE)
    fair.closed_at = datetime(2026, 6, 13, 9, 30)  # 17:30 in Tai'an: closed on its day, as fairs are
    db.session.commit()
    period = Period.of("month", fair.date)
    b07 = scoreboard(period, as_of=fair_today()).row_of(booth(fair, "B07").department_id)
    # received 6 (withdrawn left out); replied on the fair day: the two resolved and the plan, not the
    # three handed over; planned: the one plan given at the fair
    assert (b07.inputs.received, b07.inputs.replied, b07.inputs.planned, b07.inputs.resolved) == (6, 3, 1, 2)
    assert b07.reply_rate == 3 / 6
    b02 = scoreboard(period, as_of=fair_today()).row_of(booth(fair, "B02").department_id)
    assert (b02.inputs.received, b02.inputs.withdrawn) == (0, 1)  # ended: withdrawn, counted by nothing
    with app.test_request_context():
        categories = {row["code"]: row for row in disclosure_figures(Period.of("half", fair.date),
                                                                     as_of=fair_today())["categories"]}
    assert (categories["land"]["received"], categories["land"]["planned"]) == (7, 2)
    # The hall screen's latest outcomes: the handed-over ones had none at the fair.
    shown = {(o.booth_code, o.outcome) for o in latest_outcomes(fair.id, limit=20)}
    assert ("B07", "planned") in shown and len(latest_outcomes(fair.id, limit=20)) == 4


def test_the_tracking_page_says_who_has_it_and_by_when_or_why_it_ended(app, client, fair, left, organiser):
    close_fair(fair, organiser, {left["waiting"].id: None, left["in_progress"].id: None, left["moved"].id: None,
                                 left["b02"].id: EndReason.no_return}, due=DUE)
    db.session.commit()
    today = fair_today()
    handed = client.get(f"/t/{left['moved'].token}").get_data(as_text=True)
    assert '<span class="badge status-handed_over">会后办理</span>' in handed
    assert f"大集闭幕时这项需求还没有办完，已于 {today.isoformat()} 转交 {DEPARTMENT} 会后办理。" in handed
    assert f"答复时限：{DUE.isoformat()}。{DEPARTMENT}会在此前与您联系" in handed
    assert "现场拿出的解决方案" not in handed and "None" not in handed
    ended = client.get(f"/t/{left['b02'].token}").get_data(as_text=True)
    assert '<span class="badge status-ended">闭幕时结束</span>' in ended
    assert "大集闭幕时这项需求还没有办理结果，组织方已将其结束，原因：企业未返回。" in ended
    assert "此需求已撤回" not in ended


def test_the_department_works_on_a_handed_over_item_on_its_ledger_and_the_tablet_says_what_happened(
        app, fair, left, organiser):
    close_fair(fair, organiser, {left["waiting"].id: None, left["in_progress"].id: None, left["moved"].id: None,
                                 left["b02"].id: EndReason.no_return}, due=DUE)
    db.session.commit()
    staff = department_staff(booth(fair, "B07").department)
    db.session.commit()
    own = login(app.test_client(), staff.username)
    page = own.get(f"/ledger/items/{left['waiting'].id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "会后办理：大集闭幕时这项需求还没有办完" in text and "None" not in text
    listed = own.get("/ledger").get_data(as_text=True)
    assert left["waiting"].ticket_no in listed and left["moved"].ticket_no in listed
    other = department_staff(booth(fair, "B01").department)
    db.session.commit()
    assert login(app.test_client(), other.username).get(f"/ledger/items/{left['moved'].id}").status_code == 404
    tablet = login(app.test_client(), "b07")
    queue = tablet.get(f"/staff/booths/{booth(fair, 'B07').id}").get_data(as_text=True)
    assert "闭幕时仍未办完的需求已由组织方转会后办理" in queue
    row = re.search(rf'<tr data-id="{left["waiting"].id}".*?</tr>', queue, re.S).group(0)
    assert '<span class="badge status-handed_over">会后办理</span>' in row
    b02 = login(app.test_client(), "b02").get(f"/staff/booths/{booth(fair, 'B02').id}").get_data(as_text=True)
    row = re.search(rf'<tr data-id="{left["b02"].id}".*?</tr>', b02, re.S).group(0)
    assert '<span class="badge status-ended">闭幕时结束</span>' in row
    request_page = tablet.get(f"/staff/requests/{left['waiting'].id}").get_data(as_text=True)
    assert f"转交 {DEPARTMENT} 会后办理，答复时限 {DUE.isoformat()}" in request_page


def test_through_the_api_nothing_is_open_and_each_handed_over_is_a_ledger_item_with_its_due_date(
        app, client, fair, left, organiser):
    close_fair(fair, organiser, {left["waiting"].id: None, left["in_progress"].id: None, left["moved"].id: None,
                                 left["b02"].id: EndReason.company_withdrew}, due=DUE)
    _, secret = issue_token("市大数据局", ApiScope.public, None)
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    requests = client.get(f"/api/v1/requests?fair={fair.id}", headers=auth).json["results"]
    assert not [r for r in requests if r["detailed_status"] in ("waiting", "in_progress")]
    by_id = {int(r["service_request_id"]): r for r in requests}
    handed = by_id[left["moved"].id]
    assert (handed["handed_over_on"], handed["end_reason"], handed["status"], handed["status_notes"]) == (
        fair_today().isoformat(), None, "open", "会后办理")
    assert handed["original_expected_datetime"].startswith(DUE.isoformat())
    ended = by_id[left["b02"].id]
    assert (ended["end_reason"], ended["status"], ended["detailed_status"], ended["status_notes"]) == (
        "company_withdrew", "closed", "withdrawn", "闭幕时结束")
    assert by_id[left["planned"].id]["handed_over_on"] is None
    items = client.get(f"/api/v1/ledger-items?fair={fair.id}", headers=auth).json["results"]
    handed_items = {int(i["service_request_id"]): i for i in items if i["handed_over_on"]}
    assert set(handed_items) == {left[n].id for n in ("waiting", "in_progress", "moved")}
    for item in handed_items.values():
        assert (item["original_due"], item["current_due"], item["state"]) == (DUE.isoformat(), DUE.isoformat(),
                                                                             "planned")
        assert item["agency_responsible"] == DEPARTMENT
    tally = client.get(f"/api/v1/fairs/{fair.id}/tally", headers=auth).json
    assert (tally["totals"]["handed_over"], tally["totals"]["ended"], tally["totals"]["open"]) == (3, 1, 0)


def test_a_handed_over_request_is_offered_no_fair_day_slip_and_counts_as_no_outcome(app, client, fair, left,
                                                                                     organiser):
    """The fair-day slip asks whether the plan given is clear: a request handed over at the close had
    none. Its rating comes with the close-out's verdict (一事一评)."""
    close_fair(fair, organiser, due=DUE)
    db.session.commit()
    token = left["waiting"].token
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert "满意度测评" not in page and 'action="/t/' + token + '/slip"' not in page
    form = {"csrf_token": csrf_token(client, "/login"), "confirmed": "yes", "overall": "1",
            **dict.fromkeys(DIMENSIONS, "1")}
    refused = client.post(f"/t/{token}/slip", data=form)
    assert refused.status_code == 422 and "这条需求还没有办理结果，暂时不能评价。" in refused.get_data(as_text=True)
    assert fresh(left["waiting"]).slip is None
    with pytest.raises(SlipRefused) as slip_refused:  # the rule itself, whatever path a slip comes by
        give_slip(fresh(left["waiting"]), answers(1), SlipChannel.phone)
    assert slip_refused.value.reason == "no_outcome"
    db.session.rollback()
    tally, _ = tally_of(db.session.get(Fair, fair.id))
    # given an outcome at the fair (what a slip rates): the two resolved, B07's plan and the bank's
    assert tally["totals"]["with_outcome"] == 4
