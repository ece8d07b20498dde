"""The handover after a fair's close, in the browser: an organiser opens the handover page from the
ledger and prints a department's list (a PDF download, then numbered on the page); the
department's account, on a tablet, acknowledges everything its home lists in one step, and the
organiser's page shows nothing left to acknowledge."""
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import Status
from tests.browser.conftest import DESKTOP, PHONE, TABLET, _page
from tests.browser.helpers import SHOTS, shot, sign_in
from tests.factories import booth, department_staff, request_in
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

DUE = date.today() + timedelta(days=20)


def test_an_organiser_prints_the_list_and_the_department_acknowledges_all_on_its_home(
        app, live_server, laptop, tablet, phone, fair, organiser):
    items = [request_in(fair, Status.planned, "B07", due=DUE, need="新建厂房需用地30亩，希望了解可供地块。"),
             request_in(fair, Status.planned, "B07", due=DUE, need="技改项目新增用能，申请能耗指标。")]
    request_in(fair, Status.planned, "B01", due=DUE, need="二期项目规划许可办理。")  # another department's
    close_fair(fair, organiser)
    department = booth(fair, "B07").department
    department_staff(department, username="dept-b07")
    db.session.commit()

    # The organiser, on a laptop: from the ledger to the fair's handover, and B07's list printed.
    sign_in(laptop, live_server, organiser.username)
    laptop.goto(f"{live_server}/ledger")
    laptop.get_by_role("link", name="交办签收").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("交办签收")
    shot(laptop, "handover-fairs-desktop")
    laptop.get_by_role("link", name=fair.name).click()
    row = laptop.locator(f"#department-{department.id}")
    expect(row).to_contain_text("未打印")
    with laptop.expect_download() as downloaded:
        row.get_by_role("button", name="打印清单").click()
    text = pdf_text(Path(downloaded.value.path()).read_bytes())
    assert all(item.ticket_no in text for item in items) and "二期项目规划许可" not in text
    laptop.reload()
    expect(row).to_contain_text("交办〔")
    expect(laptop.locator("#handover-awaiting")).to_have_text("3")
    shot(laptop, "handover-fair-desktop")

    # The department's account, on a tablet: its home lists both; all acknowledged at once.
    sign_in(tablet, live_server, "dept-b07")
    receipts = tablet.locator("#receipts-waiting")
    expect(receipts.locator("#receipts-count")).to_have_text("2")
    expect(receipts.locator("tbody tr")).to_have_count(2)
    shot(tablet, "handover-receipts-tablet")
    receipts.get_by_text("签收全部 2 项").click()
    receipts.get_by_label("我已核对上面列出的事项").check()
    shot(tablet, "handover-receipts-confirm-tablet")
    receipts.get_by_role("button", name="确认签收2项").click()
    expect(tablet.get_by_role("status").first).to_contain_text("已签收 2 项交办事项")
    expect(tablet.locator("#receipts-waiting")).to_have_count(0)
    tablet.locator("table.ledger").get_by_role("link", name=items[0].ticket_no).click()
    expect(tablet.locator("#receipt-state")).to_contain_text("已签收")
    expect(tablet.locator(".ledger-timeline")).to_contain_text("签收")
    shot(tablet, "handover-item-tablet")

    # The organiser's page: B07 has nothing left to acknowledge; B01 still has its one.
    laptop.reload()
    expect(row).to_contain_text("已全部签收")
    expect(laptop.locator("#handover-awaiting")).to_have_text("1")
    expect(laptop.locator(f"#awaiting-{department.id}")).to_have_count(0)

    # The same pages on a phone, to look at.
    if SHOTS:
        sign_in(phone, live_server, organiser.username)
        phone.goto(f"{live_server}/supervision/handover/fairs/{fair.id}")
        shot(phone, "handover-fair-phone")
        phone.goto(f"{live_server}/supervision/handover")
        shot(phone, "handover-fairs-phone")


@pytest.mark.parametrize("size", ["phone", "tablet", "desktop"])
def test_the_handover_pages_fit_every_screen(browser, live_server, fair, organiser, size):
    """Organisers' handover pages and a department's receipts, on a phone, a tablet and a laptop:
    nothing wider than the screen (the tables become cards on a phone)."""
    request_in(fair, Status.planned, "B07", due=DUE, need="新建厂房需用地30亩，希望了解可供地块和供地流程。")
    request_in(fair, Status.planned, "B01", due=DUE, need="二期项目规划许可办理。")
    close_fair(fair, organiser)
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    options = {"phone": PHONE, "tablet": TABLET, "desktop": DESKTOP}[size]
    for who, urls in ((organiser.username, ["/supervision/handover", f"/supervision/handover/fairs/{fair.id}"]),
                      ("dept-b07", ["/ledger"])):
        pages = _page(browser, options)
        page = next(pages)
        sign_in(page, live_server, who)
        for url in urls:
            page.goto(f"{live_server}{url}")
            expect(page.locator("main")).to_contain_text("签收")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
            shot(page, f"handover{url.replace('/', '-')}-{who}-{size}")
        next(pages, None)  # the context closed, and nothing the kiosk sent was blocked by its CSP
