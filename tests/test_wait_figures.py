"""The day's waiting figures per booth (kiosk.figures.waiting_day): on the closing tally, its page and
PDF with their definitions, frozen at the close; and the dashboard's longest current wait per booth."""
import re
from datetime import timedelta

import sqlalchemy as sa

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.figures.tally import compute_tally
from kiosk.figures.waiting_day import longest_waiting_now
from kiosk.service_requests import calling, workflow
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest
from kiosk.tally.report import tally_pdf
from tests.factories import booth, request_in
from tests.helpers import login, pdf_text


def staff(fair, code="B07"):
    return db.session.scalar(sa.select(User).filter_by(booth_id=booth(fair, code).id))


def filed_minutes_ago(item, minutes):
    """Move a request's filing (and its submitted event) back in time."""
    then = utcnow() - timedelta(minutes=minutes)
    item.created_at = then
    db.session.execute(sa.update(RequestEvent).where(RequestEvent.request_id == item.id,
                                                     RequestEvent.kind == EventKind.submitted).values(created_at=then))
    db.session.commit()


def taken_after(item, fair, minutes):
    """Taken up `minutes` after its filing."""
    workflow.take(item, staff(fair, item.booth.code), item.version)
    db.session.commit()
    db.session.execute(sa.update(RequestEvent).where(RequestEvent.request_id == item.id,
                                                     RequestEvent.kind == EventKind.taken)
                       .values(created_at=item.created_at + timedelta(minutes=minutes)))
    db.session.commit()


def a_day(fair):
    """B07: three taken up after 10, 20 and 45 minutes, one still waiting, one skipped twice; B01:
    one taken after 5; F01: nobody taken up."""
    for minutes in (10, 20, 45):
        item = request_in(fair)
        filed_minutes_ago(item, 60)
        taken_after(item, fair, minutes)
    waiting = request_in(fair)
    filed_minutes_ago(waiting, 30)
    at_b01 = request_in(fair, at="B01")
    filed_minutes_ago(at_b01, 50)
    taken_after(at_b01, fair, 5)
    absent = request_in(fair)
    b07, actor = booth(fair, "B07"), staff(fair)
    called = calling.call_next(b07, actor)  # the oldest waiting: `waiting`, filed 30 minutes ago
    calling.skip(called, actor, called.version)
    calling.call_again(called, actor, called.version)
    calling.skip(called, actor, called.version)
    db.session.commit()
    request_in(fair, at="F01")
    return waiting, absent


def test_the_tally_gives_each_booths_median_and_longest_wait_and_its_no_shows(app, fair):
    a_day(fair)
    waits = compute_tally(fair)["waits"]
    rows = {row["code"]: row for row in waits["booths"]}
    # B07: the three taken (10, 20, 45) and the one called at once after its 30 minutes: median 25
    assert rows["B07"] == {"code": "B07", "name": rows["B07"]["name"], "waited": 4, "median": 25, "longest": 45,
                           "no_shows": 1}
    assert (rows["B01"]["waited"], rows["B01"]["median"], rows["B01"]["longest"]) == (1, 5, 5)
    assert rows["F01"] == {**rows["F01"], "waited": 0, "median": None, "longest": None, "no_shows": 0}
    assert waits["totals"] == {"waited": 5, "median": 20, "longest": 45, "no_shows": 1}


def test_the_tally_page_and_pdf_show_the_waiting_figures_with_their_definitions(app, fair, organiser):
    a_day(fair)
    page = login(app.test_client(), organiser.username).get(f"/organiser/fairs/{fair.id}/tally")
    html = page.get_data(as_text=True)
    assert "等候情况" in html and "等候时间中位数" in html and "25 分钟" in html and "45 分钟" in html
    assert "到第一次叫号或开始办理的分钟数" in html  # the definition, where the figure is
    with app.test_request_context():
        _name, _type, pdf = tally_pdf(fair)
    text = pdf_text(pdf)
    assert "等候情况" in text and "未到场" in text and "第一次叫号或开始办理" in text.replace("\n", "")


def test_a_tally_frozen_before_the_waiting_figures_shows_none(app, fair, organiser):
    tally = compute_tally(fair)
    del tally["waits"]
    fair.tally_snapshot = tally
    db.session.commit()
    html = login(app.test_client(), organiser.username).get(f"/organiser/fairs/{fair.id}/tally").get_data(as_text=True)
    assert "等候情况" not in html


def test_the_dashboard_shows_the_longest_current_wait_per_booth(app, fair, organiser):
    waiting, _absent = a_day(fair)
    with app.test_request_context():
        longest = longest_waiting_now(fair.id, utcnow())
    # B07's longest not yet called is `absent` (filed just now: `waiting` was called); F01's one
    assert [one.booth_code for one in longest] == ["B07", "F01"] or [one.booth_code for one in longest] == [
        "F01", "B07"]
    moved = request_in(fair, transferred_to="B02")
    filed_minutes_ago(moved, 40)  # filed 40 minutes ago at B07, transferred to B02 just now
    with app.test_request_context():
        b02 = next(one for one in longest_waiting_now(fair.id, utcnow()) if one.booth_code == "B02")
    assert b02.minutes == 0  # its wait at B02 counts from its arrival there
    old = request_in(fair, at="B01")
    filed_minutes_ago(old, 33)
    html = login(app.test_client(), organiser.username).get(f"/organiser/fairs/{fair.id}/dashboard").get_data(
        as_text=True)
    assert "各摊位当前最长等候" in html and old.ticket_no in html and "33 分钟" in html
    assert db.session.get(ServiceRequest, waiting.id).no_show_at is not None


def test_the_scoreboard_shows_each_departments_waiting_figures_beside_the_ranking_unscored(app, fair, organiser):
    a_day(fair)
    html = login(app.test_client(), organiser.username).get("/organiser/scoreboard/2026-06").get_data(as_text=True)
    section = html[html.index('id="board-waits"'):]
    section = section[:section.index("</section>")]
    assert "等候情况（不计分）" in section and "不计入总分" in section and "第一次叫号或开始办理" in section
    b07 = re.search(r"<tr><td>[^<]*工业和信息化局</td>(.*?)</tr>", section, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', b07) == ["4", "25 分钟", "45 分钟", "1"]
    assert "自然资源和规划局" in section
    assert "泰安银行" not in section  # F01: nobody's wait there has ended yet, nor a no-show: nothing to show
