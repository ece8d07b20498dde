"""Every kind of change reaches every screen that polls for it: the booth queue, the company's
tracking page, the dashboard and the hall screen answer 200 with the new content, not 304; and so
does the API (kiosk.api), which other systems poll with ETags for every fair at once."""
from datetime import date

import pytest
import sqlalchemy as sa

from kiosk.api.models import ApiScope
from kiosk.api.tokens import issue_token
from kiosk.core.database import unit_of_work
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Fair
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests import workflow
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.service_requests.workflow import WorkflowError
from kiosk.slips.models import DIMENSIONS, SlipChannel
from kiosk.slips.service import SlipAnswers, give_slip, record_call
from tests.factories import booth, request_in
from tests.helpers import csrf_token, login

POLL = {"HX-Request": "true"}
TODAY = date(2026, 6, 13)


class Screens:
    """The pollers of one fair, each holding the ETag of what it last showed, as a browser does."""

    def __init__(self, app, fair, organiser):
        self.fair = fair
        self.staff = {code: login(app.test_client(), code.lower()) for code in ("B07", "B02")}
        self.queues = {code: booth(fair, code).id for code in self.staff}  # (a booth's code may change)
        self.boss = login(app.test_client(), organiser.username)
        self.phone = app.test_client()
        self.api = _Bearer(app.test_client(), issue_token("test", ApiScope.public, None)[1])
        db.session.commit()
        self.etags = {}

    def urls(self, item=None) -> dict:
        urls = {f"queue {code}": (client, f"/staff/booths/{self.queues[code]}")
                for code, client in self.staff.items()}
        urls["dashboard"] = (self.boss, f"/organiser/fairs/{self.fair.id}/dashboard")
        urls["screen"] = (self.boss, f"/organiser/fairs/{self.fair.id}/screen")
        if item is not None:
            urls["tracking"] = (self.phone, f"/t/{item.token}")
        urls["api"] = (self.api, f"/api/v1/requests?fair={self.fair.id}")
        return urls

    def look(self, item=None) -> dict:
        """Poll every screen; returns what each shows, and keeps each ETag for the next poll."""
        shown = {}
        for name, (client, url) in self.urls(item).items():
            headers = {**POLL, **({"If-None-Match": self.etags[name]} if name in self.etags else {})}
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 286, 304), (name, response.status_code)
            if response.status_code != 304:
                self.etags[name] = response.headers["ETag"]
            shown[name] = None if response.status_code == 304 else response.get_data(as_text=True)
        return shown

    def after(self, change, item=None, *, expect: dict, unchanged=()) -> dict:
        """Poll, make the change (and commit, as the end of a request would), poll again: each
        screen named in expect answers with new content holding its text (None: any new content)."""
        self.look(item)
        change()
        db.session.commit()
        shown = self.look(item)
        if expect:  # the API shows every request and fair: what moves a screen moves it too
            assert shown["api"] is not None, "the API answered 304 after the change"
        for name, text in expect.items():
            assert shown[name] is not None, f"{name} answered 304 after the change"
            assert text is None or text in shown[name], (name, text)
        for name in unchanged:
            assert shown[name] is None, f"{name} changed although nothing it shows did"
        return shown


class _Bearer:
    """A system reading the API: its token on every request."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def get(self, url, headers):
        return self.client.get(url, headers={**headers, "Authorization": f"Bearer {self.secret}"})


@pytest.fixture
def screens(app, fair, organiser):
    return Screens(app, fair, organiser)


def test_a_submission_reaches_its_queue_the_dashboard_and_the_screen(screens, fair):
    screens.after(lambda: request_in(fair), expect={
        "queue B07": "B07-001", "dashboard": 'id="total-received">1<', "screen": "受理 1"},
        unchanged=["queue B02"])


@pytest.mark.parametrize("move, arguments, shown_on_tracking", [
    (workflow.take, {}, "工作人员正在办理您的需求"),
    (workflow.resolve, {"resolution": "当场办结了"}, "当场办结了"),
    (workflow.plan, {"plan_text": "会后踏勘", "unit": "规划科", "person": "赵科长", "due": TODAY, "today": TODAY},
     "会后踏勘"),
    (workflow.withdraw, {"reason": "重复提交"}, "此需求已撤回"),
])
def test_each_outcome_reaches_every_screen_that_shows_the_request(screens, fair, organiser, move, arguments,
                                                                    shown_on_tracking):
    item = request_in(fair)
    db.session.commit()
    screens.after(lambda: move(item, organiser, item.version, **arguments), item,
                  expect={"queue B07": None, "tracking": shown_on_tracking, "dashboard": None, "screen": None},
                  unchanged=["queue B02"])


def test_a_reopened_request_is_shown_in_progress_again(screens, fair, organiser):
    item = request_in(fair)
    workflow.resolve(item, organiser, item.version, resolution="当场办结了")
    db.session.commit()
    screens.after(lambda: workflow.reopen(item, organiser, item.version, reason="记错了"), item,
                  expect={"queue B07": None, "tracking": "工作人员正在办理您的需求", "dashboard": None,
                          "screen": None})


def test_a_note_moves_the_request_and_its_queue(screens, fair, organiser):
    item = request_in(fair)
    db.session.commit()
    # A note shows on the request's own page; the pollers answer anew rather than keep a stale 304.
    screens.after(lambda: workflow.note(item, organiser, item.version, text="企业稍后再来"), item,
                  expect={"queue B07": None, "tracking": None})


def test_a_call_and_a_skip_reach_the_queue_the_ticket_page_and_the_hall_screen(screens, fair, organiser):
    from kiosk.service_requests import calling
    item = request_in(fair)
    db.session.commit()
    screens.after(lambda: calling.call_next(booth(fair, "B07"), organiser), item,
                  expect={"queue B07": "已叫号", "tracking": "请到 B07 摊位", "dashboard": None,
                          "screen": item.ticket_no}, unchanged=("queue B02",))
    screens.after(lambda: calling.skip(item, organiser, item.version), item,
                  expect={"queue B07": "已过号", "tracking": "已过号", "screen": None})


def test_a_transfer_leaves_one_queue_and_reaches_the_other(screens, fair, organiser):
    item = request_in(fair)
    db.session.commit()
    shown = screens.after(
        lambda: workflow.transfer(item, organiser, item.version, to_booth=booth(fair, "B02"), reason="归口审批"),
        item, expect={"queue B07": None, "queue B02": "B07-001", "tracking": booth(fair, "B02").name,
                      "dashboard": None, "screen": None})
    assert "B07-001" not in shown["queue B07"]


def test_a_request_transferred_away_reaches_its_old_booths_transferred_tab_as_it_moves_on(screens, fair, organiser):
    item = request_in(fair)
    workflow.transfer(item, organiser, item.version, to_booth=booth(fair, "B02"), reason="归口审批")
    db.session.commit()
    # Resolved at its new booth: the old booth's 已转出 tab shows how it stands there.
    screens.after(lambda: workflow.resolve(item, organiser, item.version, resolution="当场办结了"), item,
                  expect={"queue B07": None, "queue B02": None, "tracking": "当场办结了"})
    tab = screens.staff["B07"].get(f"/staff/booths/{screens.queues['B07']}?status=transferred", headers=POLL)
    row = tab.get_data(as_text=True).split('class="row-transferred"')[1]
    assert "B07-001" in row and "B02" in row and "归口审批" in row and "现场办结" in row


def test_a_joint_booth_sees_the_request_arrive(screens, fair, organiser):
    item = request_in(fair)
    db.session.commit()
    screens.after(lambda: workflow.join(item, organiser, item.version, booths=[booth(fair, "B02")], reason="会商"),
                  item, expect={"queue B07": None, "queue B02": "B07-001", "tracking": None})


def test_a_slip_and_a_follow_up_call_reach_the_screens(screens, fair, organiser):
    item = request_in(fair)
    workflow.resolve(item, organiser, item.version, resolution="当场办结了")
    db.session.commit()
    ratings = dict.fromkeys((*DIMENSIONS, "overall"), 1)
    screens.after(lambda: give_slip(item, SlipAnswers(confirmed=True, ratings=ratings), SlipChannel.phone), item,
                  expect={"queue B07": "已收 1 / 1 份", "tracking": "感谢您的评价", "dashboard": "1/1"})
    slip = db.session.get(ServiceRequest, item.id).slip
    screens.after(lambda: record_call(slip, organiser, called_at=slip.created_at, spoke_with="王", said="已解释",
                                      fixed=None, close=True),
                  expect={"dashboard": None})


def test_a_booth_added_to_an_open_fair_reaches_the_dashboard_and_the_screen(screens, fair):
    def add_booth():
        zone = fair.zones[0]
        db.session.add(Booth(fair=fair, zone=zone, code="B09", department=Department(name="新增测试局")))
    screens.after(add_booth, expect={"dashboard": "B09 新增测试局", "screen": "新增测试局"},
                  unchanged=["queue B07", "queue B02"])


def test_a_booth_added_by_the_organiser_reaches_a_polling_dashboard(screens, fair):
    """The stale-dashboard bug: adding a booth left a polling dashboard on a 304."""
    screens.look()
    response = screens.boss.post(f"/organiser/fairs/{fair.id}/booths", data={
        "csrf_token": csrf_token(screens.boss, "/login"), "code": "B09", "department": "新增测试局",
        "kind": "department", "zone": str(fair.zones[0].id)})
    assert response.status_code == 302
    assert "B09 新增测试局" in screens.look()["dashboard"]


def test_a_renamed_booth_reaches_every_screen_that_names_it(screens, fair):
    item = request_in(fair)
    db.session.commit()

    def rename():
        booth(fair, "B07").department.name = "工业和信息化局（更名）"
    screens.after(rename, item, expect={"tracking": "工业和信息化局（更名）", "dashboard": "工业和信息化局（更名）",
                                        "screen": "工业和信息化局（更名）"})
    screens.after(lambda: setattr(booth(fair, "B07"), "code", "B08"), item,
                  expect={"dashboard": "B08", "screen": "B08", "tracking": "B08"})


def test_a_fair_moved_reaches_every_screen(screens, fair, organiser):
    item = request_in(fair)
    db.session.commit()
    shown = screens.after(lambda: close_fair(db.session.get(Fair, fair.id), organiser), item,
                          expect={"dashboard": None, "screen": None, "tracking": None,
                                  "queue B07": "大集已闭幕", "queue B02": "大集已闭幕"})
    assert db.session.get(Fair, fair.id).setup_version > 0 and shown["dashboard"] is not None


def test_a_batch_is_all_or_nothing(app, fair, organiser):
    """Three requests taken in one unit of work, the third already taken by someone else: none is
    taken, and no screen is told of a change."""
    items = [request_in(fair) for n in (1, 2, 3)]
    db.session.commit()
    stale_version = items[2].version
    workflow.take(items[2], organiser, stale_version)
    db.session.commit()
    versions_before = db.session.scalar(sa.select(sa.func.sum(Booth.queue_version)))
    with pytest.raises(WorkflowError), unit_of_work():
        for item in items:
            workflow.take(item, organiser, stale_version if item is items[2] else item.version)
    db.session.expire_all()
    assert [db.session.get(ServiceRequest, i.id).status for i in items] == [
        Status.waiting, Status.waiting, Status.in_progress]
    assert db.session.scalar(sa.select(sa.func.sum(Booth.queue_version))) == versions_before


def test_a_refused_move_through_the_tablet_keeps_nothing(app, fair):
    """The request's end commits only an answer below 400: a refusal leaves the request as it was."""
    item = request_in(fair)
    db.session.commit()
    tablet = login(app.test_client(), "b07")
    url = f"/staff/requests/{item.id}"
    response = tablet.post(f"{url}/plan", data={
        "csrf_token": csrf_token(tablet, url), "plan-version": item.version, "plan-plan_text": "会后踏勘",
        "plan-unit": "规划科", "plan-person": "赵科长", "plan-due": "2000-01-01"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(ServiceRequest, item.id).status is Status.waiting


# --- the ledger's pages (kiosk.ledger): each department's ledger version, the item's own version, a round's version

class LedgerScreens:
    """The ledger's pollers: the organisers' whole ledger, B07's and F01's departments' own, the
    item's page, the company's tracking page, the fair's dashboard and a system reading the item
    from the API."""

    def __init__(self, app, fair, organiser, item):
        from tests.factories import department_staff
        accounts = {code: department_staff(booth(fair, code).department).username for code in ("B07", "F01")}
        db.session.commit()
        self.item = item
        self.boss = login(app.test_client(), organiser.username)
        self.dept = {code: login(app.test_client(), username) for code, username in accounts.items()}
        self.phone = app.test_client()
        self.urls = {"ledger": (self.boss, "/ledger?status=all"),
                     "ledger B07": (self.dept["B07"], "/ledger?status=all"),
                     "ledger F01": (self.dept["F01"], "/ledger?status=all"),
                     "item": (self.boss, f"/ledger/items/{item.id}"), "tracking": (self.phone, f"/t/{item.token}"),
                     "dashboard": (self.boss, f"/organiser/fairs/{fair.id}/dashboard"),
                     "api": (_Bearer(app.test_client(), issue_token("ledger", ApiScope.personal, None)[1]),
                             f"/api/v1/ledger-items/{item.id}")}
        db.session.commit()
        self.etags = {}

    def look(self) -> dict:
        shown = {}
        for name, (client, url) in self.urls.items():
            headers = {**POLL, **({"If-None-Match": self.etags[name]} if name in self.etags else {})}
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 286, 304), (name, response.status_code)
            if response.status_code != 304:
                self.etags[name] = response.headers["ETag"]
            shown[name] = None if response.status_code == 304 else response.get_data(as_text=True)
        return shown

    def after(self, change, *, expect: dict, unchanged=()):
        self.look()
        change()
        db.session.commit()
        shown = self.look()
        for name, text in expect.items():
            assert shown[name] is not None, f"{name} answered 304 after the change"
            assert text is None or text in shown[name], (name, text)
        for name in unchanged:
            assert shown[name] is None, f"{name} changed although nothing it shows did"


def _item(item):
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


@pytest.mark.parametrize("step", ["progress", "ask_extension", "approve_extension", "refuse_extension", "extend",
                                  "reassign", "finish", "confirm", "send_back", "verdict"])
def test_each_ledger_move_reaches_every_ledger_page_that_shows_the_item(app, fair, organiser, step):
    from datetime import timedelta

    from kiosk.ledger import moves
    from tests.factories import department_staff
    state = (Status.done if step in ("confirm", "send_back")
             else Status.closed_out if step == "verdict" else Status.planned)
    item = request_in(fair, state, due=date.today() + timedelta(days=5))
    later = date.today() + timedelta(days=40)
    if step in ("approve_extension", "refuse_extension"):  # the department asked before the pages were read
        moves.ask_extension(item, department_staff(item.booth.department), item.version, new_due=later,
                            reason="等待批复", today=date.today())
        db.session.commit()
    screens = LedgerScreens(app, fair, organiser, item)
    staff = department_staff(booth(fair, "B07").department)
    change, shown = {
        "progress": (lambda: moves.progress(_item(item), staff, _item(item).version, text="现场踏勘完成"),
                     "现场踏勘完成"),
        "ask_extension": (lambda: moves.ask_extension(_item(item), staff, _item(item).version, new_due=later,
                                                      reason="等待批复", today=date.today()), "等待批复"),
        "approve_extension": (lambda: moves.approve_extension(_item(item), organiser, _item(item).version,
                                                              today=date.today()), later.isoformat()),
        "refuse_extension": (lambda: moves.refuse_extension(_item(item), organiser, _item(item).version,
                                                            reason="理由不充分"), "理由不充分"),
        "extend": (lambda: moves.extend(_item(item), organiser, _item(item).version, new_due=later,
                                        reason="等待批复", today=date.today()), "等待批复"),
        "reassign": (lambda: moves.reassign(_item(item), staff, _item(item).version, unit="用地科", person="钱",
                                            reason="分工调整"), "用地科"),
        "finish": (lambda: moves.finish(_item(item), staff, _item(item).version, result="已交地", evidence="确认书"),
                   "已交地"),
        "confirm": (lambda: moves.confirm(_item(item), organiser, _item(item).version), None),
        "send_back": (lambda: moves.send_back(_item(item), organiser, _item(item).version, reason="未交地"), "未交地"),
        "verdict": (lambda: moves.company_verdict(_item(item), accepted=False, rating=2, words="土地未交付"),
                    "土地未交付"),
    }[step]
    # (the company reads neither a request for more time nor its refusal: only an approved one's reason)
    staff_only = ("reassign", "send_back", "ask_extension", "refuse_extension")
    screens.after(change, expect={"ledger": None, "ledger B07": None, "item": shown, "dashboard": None, "api": None,
                                  "tracking": None if step in staff_only else "等待批复" if step == "approve_extension"
                                  else shown},
                  unchanged=["ledger F01"])


def test_a_reconciliation_mark_reaches_its_rounds_page(app, fair, organiser):
    from kiosk.ledger import rounds as rules
    from kiosk.ledger.models import Mark

    item = request_in(fair, Status.planned)
    round_ = rules.open_round(2026, 3, organiser)
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    first = boss.get(f"/ledger/rounds/{round_.id}", headers=POLL)
    assert boss.get(f"/ledger/rounds/{round_.id}",
                    headers={**POLL, "If-None-Match": first.headers["ETag"]}).status_code == 304
    rules.mark(round_, round_.version, [item.id], Mark.open, "推进中", organiser, today=date.today())
    db.session.commit()
    again = boss.get(f"/ledger/rounds/{round_.id}", headers={**POLL, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and 'id="count-open">1<' in again.get_data(as_text=True)


def test_the_kept_ledger_list_is_never_stale(app, fair, organiser):
    """Each app server keeps the rendered list by the department's ledger version: a change to an
    item, or to the fair, booth or department its row names, must move that version."""
    from datetime import timedelta

    from kiosk.ledger import moves
    item = request_in(fair, Status.planned, due=date.today() + timedelta(days=5))
    boss = login(app.test_client(), organiser.username)
    url = f"/ledger?department={booth(fair, 'B07').department_id}"
    assert "延期1次" not in boss.get(url).get_data(as_text=True)
    moves.extend(item, organiser, item.version, new_due=date.today() + timedelta(days=30), reason="等批复",
                 today=date.today())
    db.session.commit()
    assert "延期1次" in boss.get(url).get_data(as_text=True)
    db.session.get(Fair, fair.id).name = "改名后的大集"
    db.session.commit()
    assert "改名后的大集" in boss.get(url).get_data(as_text=True)
    booth(fair, "B07").department.name = "改名后的工业和信息化局"
    db.session.commit()
    assert "改名后的工业和信息化局" in boss.get(url).get_data(as_text=True)
