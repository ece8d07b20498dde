"""The SMS consent on a phone (390×844 and 360×640): the box is there to read, unticked until the
company ticks it, and its withdrawal on the tracking page works."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest
from tests.browser.conftest import PHONE, SMALL_PHONE, _page
from tests.browser.helpers import fill_company

pytestmark = pytest.mark.browser

WORDING = "同意通过短信接收本需求的办理进展"


@pytest.mark.parametrize("device", [PHONE, SMALL_PHONE], ids=["390x844", "360x640"])
def test_the_consent_is_readable_unticked_and_withdrawn_from_the_tracking_page(live_server, browser, fair, device,
                                                                                tmp_path):
    phone = next(_page(browser, device))
    width = device["viewport"]["width"]
    phone.goto(f"{live_server}/b/{fair.id}/B07")
    box = phone.get_by_label(re.compile(WORDING))
    expect(box).not_to_be_checked()
    label = phone.locator("label.consent")
    label.scroll_into_view_if_needed()
    shape = label.bounding_box()
    assert shape["x"] >= 0 and shape["x"] + shape["width"] <= width  # not cut off at the side
    assert phone.evaluate("getComputedStyle(document.querySelector('label.consent')).fontSize") >= "14px"
    assert box.bounding_box()["width"] >= 20  # a box a thumb can hit
    phone.screenshot(path=f"/tmp/msg25/shots/consent-form-{width}.png")

    fill_company(phone)
    phone.get_by_text("土地", exact=True).click()
    phone.get_by_label("需求内容").fill("新建厂房需用地30亩。")
    box.check()
    phone.get_by_role("button", name="提交需求").click()
    expect(phone).to_have_url(re.compile(r"/t/[\w-]{20,}$"))
    withdraw = phone.get_by_role("button", name="退订短信通知")
    expect(withdraw).to_be_visible()
    phone.screenshot(path=f"/tmp/msg25/shots/consent-track-{width}.png")
    withdraw.click()
    expect(phone.locator(".notice.success")).to_contain_text("已退订")
    expect(phone.get_by_role("button", name="退订短信通知")).to_have_count(0)
    phone.screenshot(path=f"/tmp/msg25/shots/consent-withdrawn-{width}.png")
    db.session.expire_all()
    item = db.session.scalar(sa.select(ServiceRequest))
    assert item.sms_consent_at is None and item.events[-1].kind.value == "sms_opted_out"
    phone.context.close()
