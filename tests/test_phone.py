"""The company's phone: what it remembers when WeChat drops its session, the way back to a lost link
(ticket number + last 4 digits of the mobile, rate-limited), a phone shared between companies, and a
transfer as the company sees it."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import FairStatus
from kiosk.intake.lookup import MISSES_PER_FAIR, MISSES_PER_TICKET, normal_ticket
from kiosk.intake.models import LookupMiss
from kiosk.intake.phone import COOKIE
from kiosk.service_requests import workflow
from kiosk.service_requests.models import ServiceRequest
from tests.factories import CODE_A, CODE_B, booth, request_in
from tests.helpers import csrf_token, form_data, ticket_main

WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/4G Language/zh_CN")


def file(client, fair, url="/b/B07", **overrides):
    response = client.post(f"/f/{fair.id}", data=form_data(client, url, **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def killed_wechat(client):
    """WeChat on iOS, killed and opened again: its session cookie is gone, other cookies stay."""
    client.delete_cookie("session")


def test_the_phone_remembers_the_company_and_its_tickets_when_wechat_drops_the_session(client, fair):
    file(client, fair)
    cookie = client.get_cookie(COOKIE)
    # A cookie of its own, with a lifetime of its own: a fair day and the quarter after it.
    assert cookie is not None and cookie.http_only and cookie.expires is not None
    assert cookie.expires - utcnow().replace(tzinfo=cookie.expires.tzinfo) > timedelta(days=80)
    killed_wechat(client)
    html = client.get("/b/B01").get_data(as_text=True)
    assert 'value="泰安新材料科技有限公司"' in html and f'value="{CODE_A}"' in html and 'value="王经理"' in html
    assert "不是本企业？清空" in html


def test_the_form_lists_the_phones_earlier_tickets_newest_first_with_their_status(client, fair, organiser):
    file(client, fair, "/b/B07")
    file(client, fair, "/b/B01")
    first = db.session.scalar(sa.select(ServiceRequest).filter_by(ticket_no="B07-001"))
    workflow.resolve(first, organiser, first.version, resolution="当场办结")
    db.session.commit()
    killed_wechat(client)
    html = client.get("/b/F01").get_data(as_text=True)
    earlier = html.split('class="earlier"')[1]
    assert earlier.index("B01-001") < earlier.index("B07-001")
    assert re.search(r"B07-001</a>.*?现场办结", earlier, re.S) and re.search(r"B01-001</a>.*?待受理", earlier, re.S)


def test_a_forged_phone_cookie_is_ignored(client, fair):
    client.set_cookie(COOKIE, "eyJjIjp7ImNvbXBhbnlfbmFtZSI6Ilx1NTE3Nlx1NGVkNiJ9fQ.forged.signature")
    html = client.get("/b/B07").get_data(as_text=True)
    assert "不是本企业" not in html and re.search(r'<input[^>]*name="company_name"[^>]*value=""', html)


def test_not_this_company_clears_the_phone(client, fair):
    first = file(client, fair)
    form = client.get("/b/B01").get_data(as_text=True)
    back = re.search(r'name="back" value="([^"]+)"', form).group(1)
    cleared = client.post("/phone/forget", data={"csrf_token": csrf_token(client, "/b/B01"), "back": back})
    assert cleared.status_code == 303 and cleared.headers["Location"] == "/b/B01"
    html = client.get("/b/B01").get_data(as_text=True)
    assert "泰安新材料科技有限公司" not in html and "王经理" not in html and "B07-001" not in html
    assert "不是本企业" not in html
    # The first company's link still works; it just lists nothing of the phone's any more.
    assert "您提交的其他需求" not in client.get(first).get_data(as_text=True)


def test_the_next_company_on_a_shared_phone_never_sees_the_last_ones_tickets(client, fair):
    file(client, fair, "/b/B07")
    # The next company types itself over the pre-filled form, without clearing it.
    second = file(client, fair, "/b/B01", company_name="岱岳制造有限公司", credit_code=CODE_B, contact_name="李")
    html = client.get("/b/F01").get_data(as_text=True)
    assert 'value="岱岳制造有限公司"' in html and "B01-001" in html and "B07-001" not in html
    assert "B07-001" not in client.get(second).get_data(as_text=True)


def test_a_tracking_link_opened_on_another_phone_lists_nothing_of_that_phone(app, fair):
    mine, theirs = app.test_client(), app.test_client()
    file(mine, fair, "/b/B07")
    file(theirs, fair, "/b/B01", company_name="岱岳制造有限公司", credit_code=CODE_B)
    other = db.session.scalar(sa.select(ServiceRequest).filter_by(ticket_no="B01-001"))
    html = mine.get(f"/t/{other.token}").get_data(as_text=True)
    assert "您提交的其他需求" not in html and "B07-001" not in html


@pytest.mark.parametrize("typed, normal", [
    ("B07-003", "B07-003"), ("b07-3", "B07-003"), ("B07003", "B07-003"), ("Ｂ０７－００３", "B07-003"),
    (" b07 003 ", "B07-003"), ("B07-1234", "B07-1234"), ("B07", None), ("003", None), ("B07-", None), ("", None),
    ("<script>", None)])
def test_ticket_numbers_are_read_however_they_are_typed(typed, normal):
    assert normal_ticket(typed) == normal


def lookup(client, fair, ticket, last4):
    return client.post(f"/f/{fair.id}/find", data={"csrf_token": csrf_token(client, f"/f/{fair.id}/find"),
                                                   "ticket": ticket, "last4": last4})


def test_a_lookup_by_ticket_number_and_mobile_digits_opens_the_tracking_page(app, fair):
    item = request_in(fair)
    phone = app.test_client()
    found = lookup(phone, fair, "b07-1", "5678")
    assert found.status_code == 303 and found.headers["Location"] == f"/t/{item.token}"
    # ...and the phone keeps it: the form lists it.
    assert "B07-001" in phone.get("/b/B01").get_data(as_text=True).split('class="earlier"')[1]
    assert db.session.scalar(sa.select(sa.func.count(LookupMiss.id))) == 0  # a hit is not a miss


def test_a_miss_says_not_found_and_nothing_more(app, fair):
    request_in(fair)
    wrong_digits = lookup(app.test_client(), fair, "B07-001", "1234")
    no_such_ticket = lookup(app.test_client(), fair, "B07-099", "5678")
    assert wrong_digits.status_code == no_such_ticket.status_code == 404
    shown = [re.search(r'<p class="notice error" role="alert">(.*?)</p>', r.get_data(as_text=True)).group(1)
             for r in (wrong_digits, no_such_ticket)]
    assert shown[0] == shown[1] and "未找到" in shown[0]
    for response in (wrong_digits, no_such_ticket):
        assert "/t/" not in response.get_data(as_text=True) and "甲公司" not in response.get_data(as_text=True)


def test_a_lookup_form_that_is_not_a_ticket_is_told_why(client, fair):
    response = lookup(client, fair, "B07", "56")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "如 B07-003" in html and "最后4位数字" in html
    assert 'href="#ticket"' in html and 'href="#last4"' in html


def test_guessing_a_tickets_digits_is_stopped_even_with_fresh_cookies(app, fair):
    item = request_in(fair)
    for n in range(MISSES_PER_TICKET):
        assert lookup(app.test_client(), fair, "B07-001", f"{n:04d}").status_code == 404
    # The next try is refused before anything is compared: the right digits too, from any phone.
    paused = lookup(app.test_client(), fair, "B07-001", "5678")
    assert paused.status_code == 429 and "查询次数过多" in paused.get_data(as_text=True)
    # Other tickets are not held back by it.
    other = request_in(fair, at="B01")
    assert lookup(app.test_client(), fair, "B01-001", "5678").headers["Location"] == f"/t/{other.token}"
    # An hour later the ticket can be looked up again.
    db.session.execute(sa.update(LookupMiss).values(at=LookupMiss.at - timedelta(hours=1, minutes=1)))
    db.session.commit()
    assert lookup(app.test_client(), fair, "B07-001", "5678").headers["Location"] == f"/t/{item.token}"


def test_guessing_across_a_fairs_tickets_is_stopped(app, fair):
    request_in(fair)
    db.session.add_all(LookupMiss(fair_id=fair.id, ticket_no=f"B01-{n:03d}", last4=f"{n:04d}")
                       for n in range(MISSES_PER_FAIR))
    db.session.commit()
    assert lookup(app.test_client(), fair, "B07-001", "5678").status_code == 429


def test_the_lookup_is_linked_from_the_form_the_fair_wide_page_and_a_closed_fairs_page(client, fair):
    for url in ("/b/B07", f"/f/{fair.id}"):
        assert f'href="/f/{fair.id}/find"' in client.get(url).get_data(as_text=True)
    fair.status = FairStatus.closed
    db.session.commit()
    closed = client.get("/b/B07")
    assert closed.status_code == 410 and f'href="/f/{fair.id}/find"' in closed.get_data(as_text=True)


def test_the_tracking_page_tells_a_wechat_user_how_to_keep_the_link(client, fair):
    item = request_in(fair)
    in_wechat = client.get(f"/t/{item.token}", headers={"User-Agent": WECHAT}).get_data(as_text=True)
    assert "保存本页：点右上角“…”，选“收藏”" in in_wechat and f'href="/f/{fair.id}/find"' in in_wechat
    elsewhere = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "点右上角" not in elsewhere and "保存本页：加入书签或收藏" in elsewhere


def test_a_transfer_as_the_company_sees_it(client, fair):
    item = request_in(fair, transferred_to="B02")
    html = client.get(f"/t/{item.token}").get_data(as_text=True)
    b02 = booth(fair, "B02")
    # The ticket keeps its number; the page says where the request went, where to go, and why.
    assert '<span class="ticket-no">B07-001</span>' in html
    assert f"已由 B07 转至 B02 {b02.name}" in html
    assert f"请到 B02 摊位（{b02.zone.name}）办理。需求编号仍是 B07-001，不变。" in html
    assert "转办原因：<span class=\"prewrap\">属其他摊位事项</span>" in html


_main = ticket_main


@pytest.mark.parametrize("category, amount", [("land", ""), ("funding", "500")])
def test_the_ticket_page_a_submission_answers_with_is_the_tracking_page_itself(client, fair, category, amount):
    """The answer to a phone's submission is made from what the filing wrote, not read back
    (kiosk.intake.just_filed): it shows exactly what the tracking page shows when opened afresh,
    the phone's earlier ticket and the trail's first line included."""
    file(client, fair)  # an earlier ticket, listed on the next one's page
    data = form_data(client, "/b/B07", category=category, amount_wan=amount, project_name="二期厂房",
                     need="需求<b>含</b>标记 & 符号")
    answer = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true", "User-Agent": WECHAT})
    assert answer.status_code == 200 and answer.headers["HX-Retarget"] == "body"
    page = client.get(answer.headers["HX-Push-Url"], headers={"User-Agent": WECHAT})
    shown = _main(answer.get_data(as_text=True))
    assert shown == _main(page.get_data(as_text=True))
    assert "B07-002" in shown and "需求&lt;b&gt;含&lt;/b&gt;标记 &amp; 符号" in shown and "B07-001" in shown
    # The same form sent again (its answer lost on the way) is answered from what the database holds.
    again = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true", "User-Agent": WECHAT})
    assert (again.headers["HX-Push-Url"] == answer.headers["HX-Push-Url"]
            and _main(again.get_data(as_text=True)) == shown)
