"""Two open fairs in a real browser: a phone on an old short link picks its fair and files there; an
organiser sees which address the posters print, is warned about loopback, and sets the fair's own."""
import os

import pytest

from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest
from tests.browser.helpers import fill_request, sign_in
from tests.factories import make_fair

pytestmark = pytest.mark.browser
#: where screenshots go when someone wants to look at the pages (unset: none are taken)
SHOTS = os.environ.get("KIOSK_SHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_phone_on_an_old_short_link_picks_its_fair_and_files_there(live_server, phone, fair):
    other = make_fair(name="岱岳区要素保障大集", prefix="dy-")
    phone.goto(f"{live_server}/b/B07")
    shot(phone, "choose-fair")
    phone.get_by_role("link", name="岱岳区要素保障大集").click()
    assert phone.url.endswith(f"/b/{other.id}/B07")
    fill_request(phone, "土地", "新建厂房需用地30亩。")
    phone.get_by_role("button", name="提交需求").click()
    phone.wait_for_url("**/t/*")
    db.session.expire_all()
    item = db.session.query(ServiceRequest).one()
    assert item.fair_id == other.id and item.booth.code == "B07"


def test_an_organiser_is_warned_about_a_loopback_address_and_sets_the_fairs_own(live_server, tablet, fair,
                                                                                 organiser):
    sign_in(tablet, live_server, "organiser")
    tablet.goto(f"{live_server}/organiser/fairs/{fair.id}")
    warning = tablet.locator(".address-warning")
    assert warning.is_visible()
    shot(tablet, "address-loopback")
    tablet.get_by_label("海报网址").fill("https://jizhi.example.gov.cn/")
    tablet.get_by_role("button", name="保存海报网址").click()
    tablet.locator(".printed-base", has_text="https://jizhi.example.gov.cn").wait_for()
    assert tablet.locator(".address-warning").count() == 0
    shot(tablet, "address-set")
