"""Calling through the pages (叫号, issue 29): the tablet's bar and posts, the company's ticket page,
the hall screen."""
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.service_requests import calling
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import booth, request_in
from tests.helpers import csrf_token, login

POLL = {"HX-Request": "true"}


def queue_url(fair, code="B07"):
    return f"/staff/booths/{booth(fair, code).id}"


def tap(client, url, fair, code="B07"):
    return client.post(url, data={"csrf_token": csrf_token(client, queue_url(fair, code))})


def fresh(item):
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def test_staff_call_the_next_ticket_in_one_tap_and_see_it_called(client, fair):
    first, second = request_in(fair), request_in(fair)
    login(client, "b07")
    response = tap(client, f"{queue_url(fair)}/call-next", fair)
    assert response.status_code == 302
    page = client.get(queue_url(fair)).get_data(as_text=True)
    assert "已叫号：B07-001" in page
    bar = page[page.index('id="calling-bar"'):page.index("</table>")]
    assert 'data-called="B07-001"' in bar and "再次叫号" in bar and "过号" in bar and "开始办理" in bar
    assert re.search(rf'data-id="{first.id}".*?status-called', page, re.S)
    assert fresh(first).is_called and not fresh(second).is_called
    assert fresh(first).events[-1].kind is EventKind.called


def test_call_again_skip_and_take_from_the_bar(client, fair):
    item = request_in(fair)
    login(client, "b07")
    tap(client, f"{queue_url(fair)}/call-next", fair)
    assert tap(client, f"/staff/requests/{item.id}/calling/call-again", fair).status_code == 302
    assert fresh(item).call_count == 2
    tap(client, f"/staff/requests/{item.id}/calling/skip", fair)
    assert fresh(item).line_state == "held"
    page = client.get(queue_url(fair)).get_data(as_text=True)
    assert "已过号：B07-001" in page and "status-skipped" in page
    # Not called now: skipping it again is refused, in words, and changes nothing.
    tap(client, f"/staff/requests/{item.id}/calling/skip", fair)
    assert "这个号当前未被叫号" in client.get(queue_url(fair)).get_data(as_text=True)
    assert fresh(item).no_show_at is None
    tap(client, f"/staff/requests/{item.id}/calling/call-again", fair)
    response = tap(client, f"/staff/requests/{item.id}/calling/take", fair)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/staff/requests/{item.id}")
    assert fresh(item).status is Status.in_progress


def test_an_empty_line_is_said_and_another_booths_staff_cannot_call_it(app, fair):
    b07, f01 = login(app.test_client(), "b07"), login(app.test_client(), "f01")
    tap(b07, f"{queue_url(fair)}/call-next", fair)
    assert "当前没有排队等候的企业" in b07.get(queue_url(fair)).get_data(as_text=True)
    request_in(fair)
    assert tap(f01, f"{queue_url(fair)}/call-next", fair, "F01").status_code == 403
    item = db.session.scalar(sa.select(ServiceRequest))
    assert not item.is_called


def test_the_company_sees_where_to_go_at_its_next_poll_and_a_304_otherwise(app, client, fair, organiser):
    item = request_in(fair)
    elsewhere = request_in(fair, at="B01")
    first = client.get(f"/t/{item.token}", headers=POLL)
    assert "请到 B07 摊位" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    # A call at another booth changes nothing this company sees.
    calling.call_next(booth(fair, "B01"), organiser)
    db.session.commit()
    assert client.get(f"/t/{item.token}", headers={**POLL, "If-None-Match": etag}).status_code == 304
    assert fresh(elsewhere).is_called
    calling.call_next(booth(fair, "B07"), organiser)
    db.session.commit()
    called = client.get(f"/t/{item.token}", headers={**POLL, "If-None-Match": etag})
    text = called.get_data(as_text=True)
    assert called.status_code == 200 and "请到 B07 摊位" in text and "要素保障部门专区" in text
    assert 'data-vibrate="' in text
    again = client.get(f"/t/{item.token}", headers={**POLL, "If-None-Match": called.headers["ETag"]})
    assert again.status_code == 304


def test_a_skipped_company_is_told_by_when_and_a_no_show_where_to_ask(client, fair, organiser):
    item = request_in(fair)
    calling.call_next(booth(fair, "B07"), organiser)
    calling.skip(item, organiser, item.version)
    db.session.commit()
    page = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "您的号已过号" in page and "之后将重新排到队尾" in page
    back = utcnow() + timedelta(minutes=current_app.config["SKIP_GRACE_MINUTES"] + 1)
    calling.call_next(booth(fair, "B07"), organiser, now=back)
    calling.skip(item, organiser, item.version, now=back)
    db.session.commit()
    page = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "两次叫号未到场" in page and "待受理" in page
    # Its state shows on the booth's page of it too, beside the status.
    staff = login(client, "b07")
    assert 'status-no_show">未到场' in staff.get(f"/staff/requests/{item.id}").get_data(as_text=True)


def test_the_hall_screen_shows_the_tickets_called_now(app, fair, organiser):
    item = request_in(fair)
    screen = app.test_client()
    url = f"/screen/{fair.screen_token}"
    assert "screen-calls" not in screen.get(url).get_data(as_text=True)
    calling.call_next(booth(fair, "B07"), organiser)
    db.session.commit()
    page = screen.get(url).get_data(as_text=True)
    band = page[page.index('class="screen-calls"'):page.index("</section>", page.index('class="screen-calls"'))]
    assert "B07-001" in band and "请到 B07" in band and "要素保障部门专区" in band
    assert "甲公司" not in page  # no company's name on the hall's screen
    calling.skip(item, organiser, item.version)
    db.session.commit()
    assert "screen-calls" not in screen.get(url).get_data(as_text=True)


def test_the_close_lists_a_no_show_as_open_and_says_so(app, fair, organiser):
    item = request_in(fair)
    for n in range(2):
        calling.call_next(booth(fair, "B07"), organiser, now=utcnow() + timedelta(minutes=10 * n))
        calling.skip(item, organiser, item.version, now=utcnow() + timedelta(minutes=10 * n))
    db.session.commit()
    assert fresh(item).is_no_show
    boss = login(app.test_client(), organiser.username)
    page = boss.get(f"/organiser/fairs/{fair.id}/close").get_data(as_text=True)
    row = page[page.index(f'id="open-{item.id}"'):]
    assert "未到场" in row[:row.index("</tr>")]


def test_the_demo_fair_has_tickets_called_on_its_hall_screen(app):
    from kiosk.demo import build_demo_fair
    from kiosk.figures.calls import latest_calls
    fair = build_demo_fair(password="demo-calling-29")
    called = latest_calls(fair.id)
    assert len(called) == 3 and len({call.booth_code for call in called}) == 3
    page = app.test_client().get(f"/screen/{fair.screen_token}").get_data(as_text=True)
    assert "screen-calls" in page and called[0].ticket_no in page
