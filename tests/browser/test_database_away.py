"""The database goes away while a tablet watches its queue: a small line says so, the poll keeps
going, and the queue comes back by itself."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from tests.browser.helpers import sign_in
from tests.factories import request_in

pytestmark = pytest.mark.browser


def test_a_polling_page_shows_a_retry_line_and_keeps_polling_while_the_database_is_away(
        app, live_server, tablet, fair):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("taken away by moving the SQLite file")
    path = Path(url.removeprefix("sqlite:///"))
    sign_in(tablet, live_server, "b07")
    expect(tablet.locator("#queue")).to_contain_text("暂无需求")

    with app.app_context():
        db.engine.dispose()
    moved = [s for s in ("", "-wal", "-shm") if Path(f"{path}{s}").exists()]
    for suffix in moved:
        os.rename(f"{path}{suffix}", f"{path}{suffix}.away")
    path.mkdir()
    line = tablet.locator("#poll-offline")
    expect(line).to_be_visible()
    expect(line).to_have_text("连接中断，正在重试")
    tablet.screenshot(path="/tmp/i13-poll-offline.png")

    path.rmdir()
    for suffix in moved:
        os.rename(f"{path}{suffix}.away", f"{path}{suffix}")
    with app.app_context():
        db.engine.dispose()
    db.engine.dispose()
    request_in(fair)
    expect(tablet.locator("tr[data-id]", has_text="B07-001")).to_be_visible()
    expect(line).to_be_hidden()
