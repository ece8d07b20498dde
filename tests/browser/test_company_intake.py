"""A company at the fair, on a phone: scan, fill, submit, follow; then a second need."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest, Status
from tests.browser.helpers import fill_company, fill_request
from tests.factories import CODE_A, booth

pytestmark = pytest.mark.browser


def test_scan_fill_submit_and_file_a_second_request(live_server, phone, fair):
    phone.goto(f"{live_server}/b/B07")
    expect(phone.locator(".booth-head")).to_contain_text("工业和信息化局")
    fill_company(phone)
    phone.get_by_text("土地", exact=True).click()
    # The amount is asked only for funding requests.
    expect(phone.get_by_label("融资金额（万元，选填）")).to_be_hidden()
    phone.get_by_label("需求内容").fill("新建厂房需用地30亩，希望了解可供地块。")
    phone.get_by_role("button", name="提交需求").click()

    expect(phone).to_have_url(re.compile(r"/t/[\w-]{20,}$"))
    expect(phone.locator(".ticket-no")).to_have_text("B07-001")
    expect(phone.locator("#track-status")).to_contain_text("待受理")

    # A second need, to a bank: the company is not typed again.
    phone.get_by_role("link", name="向其他摊位提需求").click()
    expect(phone.get_by_label("企业名称")).to_have_value("泰安新材料科技有限公司")
    expect(phone.get_by_label("统一社会信用代码")).to_have_value(CODE_A)
    expect(phone.get_by_label("手机号码")).to_have_value("13912345678")
    expect(phone.get_by_label("需求内容")).to_have_value("")
    phone.get_by_label("摊位").select_option(str(booth(fair, "F01").id))
    phone.get_by_text("资金/融资", exact=True).click()
    phone.get_by_label("融资金额（万元，选填）").fill("500")
    phone.get_by_label("需求内容").fill("流动资金贷款500万元。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".ticket-no")).to_have_text("F01-001")
    expect(phone.locator(".mine")).to_contain_text("B07-001")

    saved = db.session.scalars(sa.select(ServiceRequest).order_by(ServiceRequest.id)).all()
    assert [(r.ticket_no, r.company.credit_code, r.contact_mobile) for r in saved] == [
        ("B07-001", CODE_A, "13912345678"), ("F01-001", CODE_A, "13912345678")]
    assert saved[1].amount_wan == 500


def test_field_errors_show_beside_the_fields_and_keep_the_input(live_server, phone, fair):
    phone.goto(f"{live_server}/b/B07")
    fill_company(phone)
    phone.get_by_label("统一社会信用代码").fill("91350100M000100Y44")
    phone.get_by_label("需求内容").fill("需要协调施工许可。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator("#credit_code-error")).to_contain_text("校验位不符")
    expect(phone.locator("#category-label ~ .error, .categories ~ .error")).to_contain_text("请选择需求类别")
    expect(phone.get_by_label("需求内容")).to_have_value("需要协调施工许可。")
    expect(phone.get_by_label("企业名称")).to_have_value("泰安新材料科技有限公司")
    assert phone.url.endswith("/b/B07")
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 0


def test_network_failure_loses_nothing_and_a_retry_files_once(live_server, phone, fair):
    phone.goto(f"{live_server}/b/B07")
    fill_request(phone, "审批/手续", "二期项目施工许可办理进度慢。")

    # The hall's 4G drops the submit.
    phone.route(re.compile(r"/f/\d+$"), lambda route: route.abort("internetdisconnected"))
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".net-error")).to_be_visible()
    expect(phone.get_by_label("需求内容")).to_have_value("二期项目施工许可办理进度慢。")

    # Even a reload of the page brings back what was typed.
    phone.reload()
    expect(phone.get_by_label("需求内容")).to_have_value("二期项目施工许可办理进度慢。")
    expect(phone.get_by_label("企业名称")).to_have_value("泰安新材料科技有限公司")

    phone.unroute(re.compile(r"/f/\d+$"))
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".ticket-no")).to_have_text("B07-001")
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 1


def test_a_submit_that_landed_but_whose_answer_was_lost_is_not_filed_twice(live_server, phone, fair):
    phone.goto(f"{live_server}/b/B07")
    fill_request(phone, "政策咨询", "咨询研发费用加计扣除。")

    def lose_the_answer(route):
        route.fetch()  # the server gets it and saves it...
        route.abort("connectionreset")  # ...but the phone never hears back

    phone.route(re.compile(r"/f/\d+$"), lose_the_answer)
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".net-error")).to_be_visible()
    phone.unroute(re.compile(r"/f/\d+$"))
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".ticket-no")).to_have_text("B07-001")
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 1


def test_tracking_page_updates_by_itself(live_server, phone, fair):
    phone.goto(f"{live_server}/b/B07")
    fill_request(phone, "其他", "厂区门前道路破损。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator("#track-status")).to_contain_text("待受理")

    item = db.session.scalars(sa.select(ServiceRequest)).one()
    item.status = Status.resolved
    item.resolution = "已联系住建部门，三日内修复。"
    db.session.commit()
    expect(phone.locator("#track-status")).to_contain_text("已联系住建部门，三日内修复。")
    expect(phone.locator("#track-status")).not_to_have_attribute("hx-trigger", re.compile("every"))


def test_english_phone_sees_english(live_server, browser, fair):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/b/B07")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a request")
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交企业需求")
    context.close()
