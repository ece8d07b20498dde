"""An organiser resets one booth's password in the middle of the fair: that booth's tablet, left
alone, goes to the sign-in page and says why; the booth next to it keeps working."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, TABLET
from tests.browser.helpers import shot, sign_in

pytestmark = pytest.mark.browser


def test_a_single_booth_reset_is_seen_on_that_tablet_only(live_server, browser, tablet, fair, organiser):
    neighbour_context = browser.new_context(**TABLET)
    neighbour = neighbour_context.new_page()
    sign_in(neighbour, live_server, "b01")
    sign_in(tablet, live_server, "b07")
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("B07")

    laptop_context = browser.new_context(**LAPTOP)
    laptop = laptop_context.new_page()
    sign_in(laptop, live_server, "organiser")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("大集管理")  # where organisers land
    laptop.get_by_role("link", name=fair.name).click()
    laptop.get_by_role("link", name="管理工作人员账号").click()
    row = laptop.locator("#account-B07")
    expect(row).to_contain_text("在用")
    expect(row.locator("td").nth(3)).to_have_text("1")  # the tablet signed in
    shot(laptop, "accounts-page")
    row.get_by_role("button", name="重置密码并打印").click()
    password = laptop.locator("#slip-password").inner_text()
    expect(laptop.locator("#slip-username")).to_have_text("b07")
    shot(laptop, "accounts-slip")

    # Nobody touches the tablet: its next poll takes it to the sign-in page, which says why.
    expect(tablet.locator("#signed-out-why")).to_contain_text("本摊位账号的密码已被管理员重置", timeout=15_000)
    expect(tablet.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    shot(tablet, "tablet-told-why")
    # The booth next door is still on its queue, polling.
    neighbour.wait_for_timeout(2500)
    expect(neighbour.get_by_role("heading", level=1)).to_contain_text("B01")
    expect(neighbour.locator("#signed-out-why")).to_have_count(0)

    # The slip's password lets the tablet back in.
    tablet.get_by_label("账号").fill("b07")
    tablet.get_by_label("密码").fill(password)
    tablet.get_by_role("button", name="登录").click()
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("B07")
    laptop_context.close()
    neighbour_context.close()
