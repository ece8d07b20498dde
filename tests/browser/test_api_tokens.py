"""An organiser hands a system a token in a real browser, the system reads the API with it, and the
organiser revokes it."""
import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def test_issue_a_token_read_with_it_and_revoke_it(live_server, laptop, organiser, fair):
    sign_in(laptop, live_server, "organiser")
    laptop.get_by_role("link", name="数据接口").click()
    laptop.get_by_label("使用单位或系统").fill("市大数据局数据共享平台")
    laptop.get_by_label("公开数据").check()
    laptop.get_by_role("button", name="签发", exact=True).click()
    token = laptop.locator(".issued-token .token").inner_text().strip()
    assert token.startswith("kapi_")

    system = httpx.Client(base_url=f"{live_server}/api/v1", headers={"Authorization": f"Bearer {token}"})
    fairs = system.get("/fairs")
    assert fairs.status_code == 200 and fairs.json()["results"][0]["name"] == fair.name
    assert "set-cookie" not in fairs.headers

    laptop.reload()  # the token is shown once: not after
    expect(laptop.locator(".issued-token")).to_have_count(0)
    expect(laptop.locator("table.tokens")).not_to_contain_text(token)
    # Revoking cannot be undone: its button opens a box that says so, and only the tick and its own
    # button revoke.
    row = laptop.locator("tr", has_text="市大数据局数据共享平台")
    row.locator("summary", has_text="吊销").click()
    expect(row.locator("details.irreversible")).to_contain_text("不能恢复")
    row.get_by_role("button", name="确认吊销").click()
    expect(row.locator(".error")).to_contain_text("还没有勾选确认")
    assert system.get("/fairs").status_code == 200  # not revoked
    row = laptop.locator("tr", has_text="市大数据局数据共享平台")
    row.get_by_label("确认吊销").check()
    row.get_by_role("button", name="确认吊销").click()
    expect(laptop.locator(".notice.success")).to_contain_text("已吊销")
    assert system.get("/fairs").status_code == 401
