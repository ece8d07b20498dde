"""A stranger files under a company's credit code with another name: the organiser finds the flag
from the top bar, chooses the record's name with one button, and the flag is gone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP
from tests.browser.helpers import shot, sign_in
from tests.factories import CODE_A, request_in

pytestmark = pytest.mark.browser


def test_the_organiser_resolves_a_company_filed_under_two_names(live_server, browser, fair, organiser):
    request_in(fair, at="B07", company_name="泰安新材料科技有限公司", credit_code=CODE_A)
    request_in(fair, at="B01", company_name="冒名顶替<b>骗子</b>公司", credit_code=CODE_A)
    context = browser.new_context(**LAPTOP)
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "organiser")
    page.get_by_role("link", name="企业名称待核").click()
    row = page.locator("tr", has_text=CODE_A)
    expect(row).to_contain_text("冒名顶替<b>骗子</b>公司（1）")
    shot(page, "company-names")
    row.locator("form", has_text="泰安新材料科技有限公司").get_by_role("button", name="定为档案名称").click()
    expect(page.locator(".flash, .notice, [role=status]").first).to_contain_text("泰安新材料科技有限公司")
    expect(page.get_by_text("没有待核的企业名称。")).to_be_visible()
    context.close()
    assert blocked == []
