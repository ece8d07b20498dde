"""Irreversible actions ask twice, in one pattern, with or without JavaScript: a round's close (after
its select-all has ticked twenty items for one mark), a booth's deletion. The box says what will
happen and what cannot be undone; its tick and its own button are the second step; the keyboard
alone can do it all. axe-core checks every page (conftest)."""
import os
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.ledger.models import ReconciliationRound
from kiosk.service_requests.models import Status
from tests.browser.conftest import PHONE
from tests.browser.helpers import sign_in
from tests.factories import booth, request_in

pytestmark = pytest.mark.browser

#: where to leave screenshots for a person to look at, if anywhere
SHOTS = os.environ.get("KIOSK_SCREENSHOTS")
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
DUE = date.today() + timedelta(days=30)


def shot(page, name, locator=None):
    if SHOTS:
        (locator or page).screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def the_round() -> ReconciliationRound:
    db.session.expire_all()
    return db.session.scalars(db.select(ReconciliationRound)).one()


@pytest.fixture
def twenty(fair):
    """Twenty plans given at the fair, on the ledger, none closed out."""
    items = [request_in(fair, Status.planned, at=("B07", "B01", "B02")[n % 3], due=DUE) for n in range(20)]
    db.session.commit()
    return items


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_select_all_then_close_the_round_with_its_second_step(live_server, browser, twenty, organiser, device):
    context = browser.new_context(**(DESKTOP if device == "desktop" else PHONE))
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, live_server, organiser.username)
    page.goto(f"{live_server}/ledger/rounds")
    page.get_by_role("button", name="开始对账").click()  # this quarter: today's fair is in it
    expect(page.locator(".notice").first).to_contain_text("共20项")
    boxes = page.locator("form.round-marks input[name=items]")
    expect(boxes).to_have_count(20)

    # The select-all, by the keyboard alone: it ticks in place and says how many.
    page.get_by_label("对账说明").fill("季度会议：继续推进")
    page.get_by_role("button", name="全选").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".selected-count")).to_have_text("已选 20 项")
    assert all(boxes.nth(n).is_checked() for n in range(20))
    expect(page.get_by_label("对账说明")).to_have_value("季度会议：继续推进")
    page.get_by_role("button", name="全不选").click()
    expect(page.locator(".selected-count")).to_have_text("已选 0 项")
    boxes.first.check()
    expect(page.locator(".selected-count")).to_have_text("已选 1 项")
    page.get_by_role("button", name="全选").click()
    page.get_by_label("对账结果", exact=True).select_option(label="仍在办理")
    page.get_by_role("button", name="标记", exact=True).click()
    expect(page.locator(".notice.success").first).to_contain_text("已将20项标为“仍在办理”")

    # The close: its button opens the box; the focus is on the tick, which the box's words describe.
    close = page.locator("#round-close")
    close.locator("summary").click()
    expect(close).to_contain_text("将会：")
    expect(close).to_contain_text("不能撤销：结束后这一轮不能再标记或修改")
    tick = close.get_by_label("我已核对全部对账结果，确认结束对账并冻结数字")
    expect(tick).to_be_focused()
    close.scroll_into_view_if_needed()
    shot(page, f"round-close-confirm-{device}", close)
    # Escape closes it again, and the focus goes back to its button.
    page.keyboard.press("Escape")
    expect(close).not_to_have_attribute("open", "")
    expect(close.locator("summary")).to_be_focused()
    # Without the tick, its button does nothing but say why, the box still open.
    page.keyboard.press("Enter")
    close.get_by_role("button", name="确认结束对账").click()
    expect(close.locator(".error")).to_contain_text("还没有勾选确认")
    expect(page.locator("#round-close[open]")).to_have_count(1)
    assert the_round().closed_at is None
    shot(page, f"round-close-refused-{device}", close)
    # The tick, then the button: closed, frozen.
    close.get_by_label("我已核对全部对账结果").check()
    close.get_by_role("button", name="确认结束对账").click()
    expect(page.locator(".notice.success").first).to_contain_text("对账已结束，数字已冻结")
    expect(page.locator("#frozen-open")).to_have_text("20")
    assert the_round().frozen["figures"]["open"] == 20
    context.close()


def test_without_javascript_the_same_two_steps(live_server, browser, twenty, organiser):
    context = browser.new_context(**DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, live_server, organiser.username)
    page.goto(f"{live_server}/ledger/rounds")
    page.get_by_role("button", name="开始对账").click()
    page.get_by_label("对账说明").fill("季度会议：继续推进")
    page.get_by_role("button", name="全选").click()  # a submit of its own: the page again, all ticked
    expect(page.locator(".selected-count")).to_have_text("已选 20 项")
    expect(page.get_by_label("对账说明")).to_have_value("季度会议：继续推进")
    page.get_by_label("对账结果", exact=True).select_option(label="仍在办理")
    page.get_by_role("button", name="标记", exact=True).click()
    expect(page.locator(".notice.success").first).to_contain_text("已将20项标为“仍在办理”")
    close = page.locator("#round-close")
    close.locator("summary").click()  # a <details>: opens without a script
    close.get_by_role("button", name="确认结束对账").click()
    expect(page.locator("#round-close .error")).to_contain_text("还没有勾选确认")
    page.locator("#round-close").get_by_label("我已核对全部对账结果").check()
    page.locator("#round-close").get_by_role("button", name="确认结束对账").click()
    expect(page.locator(".notice.success").first).to_contain_text("对账已结束，数字已冻结")
    context.close()


def test_a_booth_is_deleted_only_after_its_second_step(live_server, browser, fair, organiser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, live_server, organiser.username)
    page.goto(f"{live_server}/organiser/fairs/{fair.id}")
    f02 = booth(fair, "F02").id
    card = page.locator(f"#booth-{f02}")
    card.locator("summary", has_text="修改").click()
    card.locator("summary", has_text="删除摊位").click()
    box = card.locator("details.irreversible")
    expect(box).to_contain_text("删除摊位 F02")
    expect(box).to_contain_text("不能撤销：")
    box.scroll_into_view_if_needed()
    shot(page, "booth-delete-confirm-phone", card)
    box.get_by_role("button", name="确认删除").click()  # no tick: refused, the box open again
    card = page.locator(f"#booth-{f02}")
    expect(card.locator("details.irreversible .error")).to_contain_text("还没有勾选确认")
    card.get_by_label("确认删除摊位 F02").check()
    card.get_by_role("button", name="确认删除").click()
    expect(page.locator(".notice.success")).to_contain_text("摊位 F02 已删除")
    expect(page.locator(f"#booth-{f02}")).to_have_count(0)
    context.close()
