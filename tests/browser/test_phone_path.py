"""The company's phone at 360×640, as most companies meet the kiosk: the ticket in one round trip,
errors brought into view, a phone passed to the next company, and a lost link found again."""
import re

import pytest
from playwright.sync_api import expect

from kiosk.service_requests.models import Status
from tests.browser.helpers import fill_company, fill_request
from tests.factories import CODE_B, request_in

pytestmark = pytest.mark.browser

SMALL_PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2, "locale": "zh-CN"}


@pytest.fixture
def small_phone(phone):
    phone.set_viewport_size(SMALL_PHONE["viewport"])
    return phone


def test_the_ticket_comes_in_one_round_trip(live_server, small_phone, fair):
    small_phone.goto(f"{live_server}/b/B07")
    fill_request(small_phone, "土地", "新建厂房需用地30亩。")
    asked = []
    small_phone.on("request", lambda r: asked.append((r.method, r.url)) if "/static/" not in r.url else None)
    small_phone.get_by_role("button", name="提交需求").click()
    expect(small_phone.locator(".ticket-no")).to_have_text("B07-001")
    expect(small_phone).to_have_url(re.compile(r"/t/[\w-]{20,}$"))
    expect(small_phone).to_have_title(re.compile("^B07-001"))
    assert [method for method, _ in asked] == ["POST"]  # no second trip for the ticket page
    # The page swapped in is alive: it polls, and a reload gives the same page.
    expect(small_phone.locator("#track-status")).to_have_attribute("hx-trigger", re.compile("every"))
    small_phone.reload()
    expect(small_phone.locator(".ticket-no")).to_have_text("B07-001")


def test_a_refused_submit_brings_the_first_field_in_error_into_view_and_focus(live_server, small_phone, fair):
    small_phone.goto(f"{live_server}/b/B07")
    fill_company(small_phone)
    small_phone.get_by_label("统一社会信用代码").fill("91350100M000100Y4")  # 17 characters
    small_phone.get_by_text("土地", exact=True).click()
    small_phone.get_by_label("需求内容").fill("新建厂房需用地30亩。")
    small_phone.get_by_role("button", name="提交需求").click()  # the page is scrolled to the bottom here
    code = small_phone.get_by_label("统一社会信用代码")
    expect(code).to_be_focused()
    expect(code).to_be_in_viewport()
    expect(small_phone.locator("#credit_code-error")).to_be_in_viewport()
    # The summary at the top links to the field.
    small_phone.get_by_role("textbox", name="需求内容").focus()
    small_phone.locator(".error-summary").get_by_role("link", name=re.compile("统一社会信用代码")).click()
    expect(code).to_be_focused()

    # A choice left out: its first option takes the focus.
    code.fill("91350100M000100Y43")
    small_phone.evaluate("document.querySelectorAll('input[name=category]').forEach(i => { i.checked = false; })")
    small_phone.get_by_role("button", name="提交需求").click()
    expect(small_phone.locator("#category-0")).to_be_focused()
    expect(small_phone.locator(".categories")).to_be_in_viewport()


def test_a_shared_phone_is_cleared_for_the_next_company_and_a_lost_link_is_found(live_server, small_phone, fair):
    small_phone.goto(f"{live_server}/b/B07")
    fill_request(small_phone, "土地", "新建厂房需用地30亩。")
    small_phone.get_by_role("button", name="提交需求").click()
    expect(small_phone.locator(".ticket-no")).to_have_text("B07-001")

    # The next company is handed the phone: the form is filled with the last one's details.
    small_phone.goto(f"{live_server}/b/B01")
    expect(small_phone.get_by_label("企业名称")).to_have_value("泰安新材料科技有限公司")
    expect(small_phone.locator(".earlier")).to_contain_text("B07-001")
    small_phone.get_by_label("需求内容").fill("上一家企业没填完的需求")  # kept as a draft on the phone
    small_phone.get_by_role("button", name="不是本企业？清空").click()
    for label in ("企业名称", "统一社会信用代码", "联系人", "手机号码", "需求内容"):
        expect(small_phone.get_by_label(label)).to_have_value("")
    expect(small_phone.locator(".earlier")).to_have_count(0)
    expect(small_phone.get_by_role("button", name="不是本企业？清空")).to_have_count(0)

    small_phone.get_by_label("企业名称").fill("岱岳制造有限公司")
    small_phone.get_by_label("统一社会信用代码").fill(CODE_B)
    small_phone.get_by_label("联系人").fill("李经理")
    small_phone.get_by_label("手机号码").fill("13800002222")
    small_phone.get_by_text("用工/人才", exact=True).click()
    small_phone.get_by_label("需求内容").fill("招聘技术工人20名。")
    small_phone.get_by_role("button", name="提交需求").click()
    expect(small_phone.locator(".ticket-no")).to_have_text("B01-001")
    expect(small_phone.locator("main")).not_to_contain_text("B07-001")

    # The first company lost its link: its ticket number and the last 4 digits of its mobile find it.
    small_phone.goto(f"{live_server}/b/B07")
    small_phone.get_by_role("link", name=re.compile("找不到需求链接")).click()
    small_phone.get_by_label("需求编号").fill("b07-1")
    small_phone.get_by_label("手机号码后4位").fill("0000")
    small_phone.get_by_role("button", name="查询").click()
    expect(small_phone.locator(".notice.error")).to_contain_text("未找到")
    small_phone.get_by_label("手机号码后4位").fill("5678")
    small_phone.get_by_role("button", name="查询").click()
    expect(small_phone.locator(".ticket-no")).to_have_text("B07-001")
    expect(small_phone.locator("#track-status")).to_contain_text("泰安新材料科技有限公司")


def test_the_slip_fits_a_360_px_phone_and_its_errors_come_into_view(live_server, small_phone, fair):
    item = request_in(fair, Status.resolved)
    small_phone.goto(f"{live_server}/t/{item.token}")
    # No rating's label breaks mid-word (非常不/满意): each chip's text lies on one line.
    expect(small_phone.locator("#slip .scale .chip span").first).to_be_visible()
    assert small_phone.evaluate("""() => [...document.querySelectorAll('#slip .scale .chip span')].filter(s => {
        const text = document.createRange(); text.selectNodeContents(s);
        return new Set([...text.getClientRects()].map(r => Math.round(r.top))).size > 1;
      }).map(s => s.textContent)""") == []
    small_phone.get_by_role("button", name="提交评价").click()
    confirmed = small_phone.locator("#confirmed-0")
    expect(confirmed).to_be_focused()
    expect(small_phone.locator("#slip fieldset", has=confirmed)).to_be_in_viewport()
