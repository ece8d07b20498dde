"""The company's consent to be texted (PIPL): asked on the form as its own checkbox, unticked, its
purpose said; kept on the request with its time and wording; withdrawn from the tracking page with a
line on the trail."""
import re

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.intake import sms_consent
from kiosk.service_requests.models import EventKind, ServiceRequest
from tests.factories import booth, request_in
from tests.helpers import csrf_token, form_data, login

WORDING = "同意通过短信接收本需求的办理进展（方案、延期、办结待确认、销号），可随时在查询页退订"


def form_url(fair):
    return f"/b/{fair.id}/B07"


def filed(client, fair, **overrides) -> ServiceRequest:
    response = client.post(f"/f/{fair.id}", data=form_data(client, form_url(fair), **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    token = response.headers["Location"].rsplit("/", 1)[1]
    db.session.expire_all()
    return db.session.scalar(sa.select(ServiceRequest).filter_by(token=token))


def test_the_form_asks_with_an_unticked_box_that_says_what_is_sent_and_how_to_stop_it(client, fair):
    page = client.get(form_url(fair)).get_data(as_text=True)
    box = re.search(r'<label class="check consent">(.*?)</label>', page, re.S).group(1)
    assert 'type="checkbox"' in box and "checked" not in box and WORDING in box


def test_a_ticked_box_keeps_the_consent_with_its_time_and_wording_and_an_unticked_one_nothing(client, fair):
    agreed = filed(client, fair, sms_consent="y")
    assert agreed.sms_consent_at is not None and agreed.sms_consent_wording == sms_consent.CURRENT
    assert sms_consent.wording(agreed.sms_consent_wording) == WORDING
    other = filed(client, fair, need="另一项需求")
    assert other.sms_consent_at is None and other.sms_consent_wording is None


def test_the_ticket_page_answering_a_submission_offers_the_withdrawal(client, fair):
    data = form_data(client, form_url(fair), sms_consent="y")
    page = client.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "退订短信通知" in page


def test_the_company_withdraws_it_from_its_tracking_page_once_on_the_trail(client, fair):
    item = request_in(fair, sms_consent=True)
    page = client.get(f"/t/{item.token}").get_data(as_text=True)
    assert "您已同意接收本需求办理进展的短信" in page
    token = csrf_token(client, f"/t/{item.token}")
    response = client.post(f"/t/{item.token}/sms/withdraw", data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已退订" in page and "/sms/withdraw" not in page
    assert "企业退订短信通知" in page  # its line on the trail
    db.session.expire_all()
    item = db.session.get(ServiceRequest, item.id)
    assert item.sms_consent_at is None
    assert [e.kind for e in item.events].count(EventKind.sms_opted_out) == 1
    client.post(f"/t/{item.token}/sms/withdraw", data={"csrf_token": token})  # again: nothing more
    db.session.expire_all()
    assert [e.kind for e in db.session.get(ServiceRequest, item.id).events].count(EventKind.sms_opted_out) == 1


def test_a_request_without_consent_offers_no_withdrawal_and_another_token_is_404(client, fair):
    item = request_in(fair)
    assert "/sms/withdraw" not in client.get(f"/t/{item.token}").get_data(as_text=True)
    token = csrf_token(client, "/login")
    assert client.post(f"/t/{item.token}x/sms/withdraw", data={"csrf_token": token}).status_code == 404


def test_a_walk_in_can_be_filed_with_the_companys_consent(client, fair):
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}/walk-in"
    page = client.get(url).get_data(as_text=True)
    assert WORDING in page


def test_a_request_made_past_the_form_takes_the_consent_as_the_form_records_it(app, fair):
    from datetime import datetime
    item = request_in(fair)
    sms_consent.agree(item, datetime(2026, 6, 13, 2, 30))
    db.session.commit()
    db.session.expire_all()
    item = db.session.get(ServiceRequest, item.id)
    assert item.sms_consent_at.isoformat() == "2026-06-13T02:30:00+00:00" and item.sms_consent_wording == 1
