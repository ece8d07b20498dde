"""Closing a fair after a look at what is still open, the tablets told it has closed, and the hall
screen's view-only link."""
from datetime import date, timedelta

import pytest

from kiosk.core.extensions import db
from kiosk.fairs.models import Fair, FairStatus
from kiosk.organiser.fair_lifecycle import close_fair, still_open
from kiosk.service_requests.models import Status
from tests.factories import CODE_B, booth, request_in
from tests.helpers import csrf_token, login

#: a reply deadline for what the close hands over
DUE = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **(data or {})})


def status_of(fair_id: int) -> FairStatus:
    db.session.expire_all()
    return db.session.get(Fair, fair_id).status


def test_still_open_lists_waiting_and_in_progress_tickets_booth_by_booth(app, fair):
    first = request_in(fair, Status.waiting, "B07")
    second = request_in(fair, Status.in_progress, "B07")
    third = request_in(fair, Status.waiting, "F01")
    request_in(fair, Status.resolved, "B01")
    request_in(fair, Status.planned, "B02")
    listed = still_open(fair)
    assert [(b.code, b.waiting, b.in_progress) for b in listed] == [
        ("B07", [first.ticket_no], [second.ticket_no]), ("F01", [third.ticket_no], [])]


def test_the_close_page_shows_what_is_open_and_the_headline_as_it_would_freeze(app, boss, fair):
    waiting = request_in(fair, Status.waiting, "B07")
    in_progress = request_in(fair, Status.in_progress, "F01")
    request_in(fair, Status.resolved, "B01")
    page = boss.get(f"/organiser/fairs/{fair.id}/close")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "仍未办完：1项待受理，1项正在办理" in text
    assert waiting.ticket_no in text and in_progress.ticket_no in text
    assert "全场共受理企业需求3项，其中1项现场办结，0项现场拿出解决方案，2项正在办理。" in text
    assert status_of(fair.id) is FairStatus.open  # looking closes nothing


def test_closing_without_the_confirmation_is_refused_with_a_message_and_closes_nothing(app, boss, fair):
    item = request_in(fair, Status.waiting, "B07")
    response = post(boss, f"/organiser/fairs/{fair.id}/close", {"due": DUE, f"end-{item.id}": "handover"})
    assert response.status_code == 422
    assert "还没有勾选确认" in response.get_data(as_text=True)
    assert status_of(fair.id) is FairStatus.open


def test_closing_with_the_confirmation_closes_and_freezes_the_tally(app, boss, fair):
    item = request_in(fair, Status.waiting, "B07")
    response = post(boss, f"/organiser/fairs/{fair.id}/close",
                    {"due": DUE, f"end-{item.id}": "handover", "confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Fair, fair.id)
    assert closed.status is FairStatus.closed and closed.tally_snapshot["totals"]["received"] == 1
    assert closed.tally_snapshot["totals"]["handed_over"] == 1  # (tests/test_close_open_requests.py: the rest)


def test_a_closed_fair_cannot_be_closed_again_and_its_close_page_sends_you_back(app, boss, fair):
    close_fair(fair, None)
    db.session.commit()
    response = boss.get(f"/organiser/fairs/{fair.id}/close", follow_redirects=True)
    assert "大集当前状态下不能这样操作。" in response.get_data(as_text=True)
    assert post(boss, f"/organiser/fairs/{fair.id}/close", {"confirm": "y"}).status_code == 302
    assert len(db.session.get(Fair, fair.id).events) == 1


def test_the_fair_page_leads_to_the_close_page_rather_than_closing_at_once(app, boss, fair):
    text = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert f'href="/organiser/fairs/{fair.id}/close"' in text
    assert f'action="/organiser/fairs/{fair.id}/close"' not in text


def test_tablets_say_the_fair_has_closed_on_the_queue_and_the_request_page(app, fair):
    item = request_in(fair, Status.resolved, "B07")
    staff = login(app.test_client(), "b07")
    assert "大集已闭幕" not in staff.get(f"/staff/booths/{booth(fair, 'B07').id}").get_data(as_text=True)
    close_fair(fair, None)
    db.session.commit()
    queue = staff.get(f"/staff/booths/{booth(fair, 'B07').id}").get_data(as_text=True)
    page = staff.get(f"/staff/requests/{item.id}").get_data(as_text=True)
    for text in (queue, page):
        assert "大集已闭幕，统计已冻结。" in text and "需求台账" in text


def test_after_the_close_a_request_page_offers_notes_only(app, fair):
    item = request_in(fair, Status.waiting, "B07")
    staff = login(app.test_client(), "b07")
    url = f"/staff/requests/{item.id}"
    assert f"/{item.id}/take" in staff.get(url).get_data(as_text=True)
    close_fair(fair, None)
    db.session.commit()
    page = staff.get(url).get_data(as_text=True)
    for action in ("take", "resolve", "plan", "transfer", "join", "withdraw"):
        assert f"/{item.id}/{action}" not in page, action
    assert f"/{item.id}/note" in page


def test_a_polling_tablet_is_told_the_fair_has_closed_and_then_answers_304_again(app, fair):
    staff = login(app.test_client(), "b07")
    url, poll = f"/staff/booths/{booth(fair, 'B07').id}", {"HX-Request": "true"}
    etag = staff.get(url, headers=poll).headers["ETag"]
    assert staff.get(url, headers={**poll, "If-None-Match": etag}).status_code == 304
    close_fair(fair, None)
    db.session.commit()
    changed = staff.get(url, headers={**poll, "If-None-Match": etag})
    assert changed.status_code == 200 and "大集已闭幕，统计已冻结。" in changed.get_data(as_text=True)
    assert staff.get(url, headers={**poll, "If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_the_screen_link_works_without_signing_in_and_shows_no_personal_data(app, client, fair):
    request_in(fair, Status.resolved, "B07", company_name="保密科技有限公司", credit_code=CODE_B,
               contact_name="张三丰", mobile="13800001111")
    response = client.get(f"/screen/{fair.screen_token}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and fair.name in text
    assert "保密科技有限公司" not in text and "13800001111" not in text and "张三丰" not in text
    assert CODE_B not in text and "/organiser/" not in text and "退出" not in text
    assert f'hx-get="/screen/{fair.screen_token}"' in text  # it polls its own link, not the organiser's page


def test_the_screen_links_poll_is_a_304_until_the_fair_changes(app, client, fair):
    url = f"/screen/{fair.screen_token}"
    first = client.get(url, headers={"HX-Request": "true"})
    etag = first.headers["ETag"]
    assert client.get(url, headers={"HX-Request": "true", "If-None-Match": etag}).status_code == 304
    request_in(fair, Status.waiting, "B07")
    assert client.get(url, headers={"HX-Request": "true", "If-None-Match": etag}).status_code == 200


def test_a_renewed_screen_link_cuts_the_old_one_off_at_once(app, client, boss, fair):
    old = fair.screen_token
    assert client.get(f"/screen/{old}").status_code == 200
    assert old in boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert post(boss, f"/organiser/fairs/{fair.id}/screen-link").status_code == 302
    db.session.expire_all()
    new = db.session.get(Fair, fair.id).screen_token
    assert new != old and len(new) >= 40
    assert client.get(f"/screen/{old}").status_code == 404
    assert client.get(f"/screen/{new}").status_code == 200
    assert new in boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)


def test_a_guessed_screen_link_is_a_404(app, client, fair):
    assert client.get("/screen/x").status_code == 404
    assert client.get(f"/screen/{fair.screen_token[:-1]}").status_code == 404
    assert client.get(f"/screen/{fair.screen_token}%00").status_code == 400  # refused at the edge, not a 500


def test_every_fair_has_its_own_screen_link(app, fair):
    from tests.factories import make_fair
    other = make_fair(name="另一场大集", prefix="o-")
    assert fair.screen_token and other.screen_token and fair.screen_token != other.screen_token
