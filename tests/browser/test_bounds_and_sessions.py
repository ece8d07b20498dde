"""In a real browser: a hostile booth sheet is refused beside the upload field, and a tablet whose
account signed out on another tablet is sent to the sign-in page at its next poll, told why."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import booth
from tests.hostile_sheets import deflate_bomb

pytestmark = pytest.mark.browser

#: where the screenshots go, to be looked at by a person
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "/tmp/kiosk-shots"))


def test_a_deflate_bomb_is_refused_beside_the_upload_field(live_server, tablet, fair, organiser, tmp_path):
    bomb = tmp_path / "booths.xlsx"
    bomb.write_bytes(deflate_bomb(200))
    sign_in(tablet, live_server, "organiser")
    tablet.goto(f"{live_server}/organiser/fairs/{fair.id}")
    tablet.get_by_label("摊位表（CSV 或 XLSX）").set_input_files(str(bomb))
    tablet.get_by_role("button", name="上传并预览").click()
    expect(tablet.get_by_text("这个文件解压后过大（上限2 MB）")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tablet.get_by_role("button", name="上传并预览").scroll_into_view_if_needed()
    tablet.screenshot(path=str(SHOTS / "import-bomb-refused.png"))


def test_a_tablet_is_signed_out_when_its_account_logs_out_on_another(live_server, tablet, phone, fair):
    queue = f"{live_server}/staff/booths/{booth(fair, 'B07').id}"
    sign_in(tablet, live_server, "b07")
    expect(tablet).to_have_url(queue)
    second = phone  # the same account on another device (a phone here)
    sign_in(second, live_server, "b07")
    second.get_by_role("button", name="退出").click()
    expect(second).to_have_url(f"{live_server}/login")
    # The first tablet's next poll (every second here) takes it to the sign-in page, saying why.
    expect(tablet.locator("#signed-out-why")).to_contain_text("本账号已退出登录", timeout=10_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tablet.screenshot(path=str(SHOTS / "signed-out-elsewhere.png"))
