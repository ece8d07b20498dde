"""The satisfaction slip, live: on the company's phone after an outcome, and on the booth's tablet
handed over in slip mode."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import fill_request, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

RATINGS = ["业务水平", "服务态度", "工作效率", "代办手续及解决问题", "廉洁自律", "总体评价"]


def rate(page, choice="满意", confirm="是"):
    page.locator("fieldset", has=page.locator("legend.question")).get_by_text(confirm, exact=True).click()
    for name in RATINGS:
        page.locator("fieldset.rating", has=page.get_by_text(name, exact=True)).get_by_text(choice, exact=True).click()


def submit_and_resolve(phone, tablet, base):
    phone.goto(f"{base}/b/B07")
    fill_request(phone, "政策咨询", "咨询研发费用加计扣除政策。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".ticket-no")).to_have_text("B07-001")
    sign_in(tablet, base, "b07")
    tablet.locator("tr[data-id]", has_text="B07-001").get_by_role("link", name="B07-001").click()
    tablet.get_by_text("现场办结", exact=True).click()
    tablet.get_by_label("办理情况").fill("已当场讲解政策并提供申报指引。")
    tablet.get_by_role("button", name="确认现场办结").click()
    expect(tablet.locator("#request-panel")).to_contain_text("已记录为现场办结")


def test_phone_gets_the_slip_without_a_reload_and_the_booth_sees_its_figures(live_server, phone, tablet, fair):
    submit_and_resolve(phone, tablet, live_server)
    tablet.get_by_role("link", name="返回队列").click()
    figures = tablet.locator("#booth-satisfaction")
    expect(figures).to_contain_text("已收 0 / 1 份")

    # The phone was waiting on its tracking page: the outcome and the slip arrive by themselves.
    expect(phone.locator("#track-status")).to_contain_text("已当场讲解政策")
    expect(phone.locator("#slip")).to_contain_text("是否已按上述记录现场办结")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("#slip fieldset p.error").first).to_contain_text("请先回答这个问题")
    rate(phone, "非常满意")
    phone.get_by_label("意见和建议（选填）").fill("讲解清楚。")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("#slip")).to_contain_text("感谢您的评价")

    # The tablet's queue, never reloaded, shows the booth's figures change; not who gave them.
    expect(figures).to_contain_text("已收 1 / 1 份")
    expect(figures).to_contain_text("满意率 100%")
    expect(tablet.locator("main")).not_to_contain_text("讲解清楚")


def test_tablet_handed_over_for_the_slip_and_taken_back_with_the_password(live_server, phone, tablet, fair):
    submit_and_resolve(phone, tablet, live_server)
    tablet.get_by_role("button", name="请企业评价（把平板交给企业）").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("满意度测评表")
    expect(tablet.locator(".topbar")).not_to_contain_text("退出")
    rate(tablet, "基本满意")
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("感谢您的评价！")

    tablet.goto(f"{live_server}/staff/")  # the next visitor tries the queue
    expect(tablet.get_by_role("heading", level=1)).to_have_text("感谢您的评价！")

    tablet.get_by_text("工作人员：退出评价模式").click()
    tablet.get_by_label("工作人员密码").fill("wrong")
    tablet.get_by_role("button", name="退出评价模式").click()
    expect(tablet.locator(".notice.error")).to_contain_text("密码不正确")
    tablet.get_by_label("工作人员密码").fill(PASSWORD)
    tablet.get_by_role("button", name="退出评价模式").click()
    expect(tablet.locator("#request-panel")).to_contain_text("企业已完成评价")
