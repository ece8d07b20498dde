"""What a person opens or types in a page that polls stays as they left it when the poll brings a
change (the booth tablet's tab and its poll: tests/browser/test_booth_tablet.py)."""
import pytest
from playwright.sync_api import expect

from kiosk.service_requests.models import Status
from tests.browser.helpers import sign_in
from tests.factories import request_in

pytestmark = pytest.mark.browser


def test_the_ledgers_definitions_stay_open_while_the_list_changes_under_them(
        app, live_server, laptop, fair, organiser):
    app.config.update(LEDGER_POLL_SECONDS=1)
    request_in(fair, Status.planned, "B07")
    sign_in(laptop, live_server, organiser.username)
    laptop.goto(f"{live_server}/ledger")
    expect(laptop.locator("#ledger-items")).to_have_text("1")
    definitions = laptop.locator("#ledger-definitions")
    definitions.locator("summary").click()
    expect(definitions).to_have_attribute("open", "")
    request_in(fair, Status.planned, "B02")  # a new item on the ledger: the next poll swaps the list
    expect(laptop.locator("#ledger-items")).to_have_text("2")
    expect(laptop.locator("table.ledger tbody tr")).to_have_count(2)
    expect(definitions).to_have_attribute("open", "")  # still open, its words still there to read
    expect(definitions.locator("li").first).to_be_visible()
