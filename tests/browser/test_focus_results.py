"""The answer to a submit is brought into view and focused, on a phone and on a tablet: the booth sheet's
errors and its preview (far below the top of the fair's page) and a booth's refused step (a banner at
the top of the request's page). One mechanism does it everywhere (app.js's showResult), as for the
company's form."""
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.fairs.models import FairStatus
from kiosk.service_requests.models import Status
from tests.browser.conftest import PHONE, TABLET
from tests.browser.helpers import sign_in
from tests.factories import make_fair, request_in

pytestmark = pytest.mark.browser

SIZES = pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
#: where each case's screenshot goes, to be looked at (a folder of the test's own otherwise)
SHOTS = Path(__file__).parent.parent.parent / "build" / "screenshots"

HEADER = "摊位号,部门或机构名称,类型,专区\n"
#: two rows in error (a zone the fair lacks, a kind no one knows) among good ones
BAD_SHEET = HEADER + "K01,演示市自然资源局,部门,要素保障部门专区\nK02,演示市农商银行,银行,没有这个专区\n" \
    "K03,演示市商务局,不知道,要素保障部门专区\n"
#: forty new booths: a preview taller than either screen
GOOD_SHEET = HEADER + "".join(f"K{n:02d},演示市第{n}局,部门,要素保障部门专区\n" for n in range(1, 41))


@pytest.fixture
def draft_fair(app):
    return make_fair(FairStatus.draft, name="筹备中的大集")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _upload(page, base, fair, tmp_path, sheet):
    page.goto(f"{base}/organiser/fairs/{fair.id}")
    csv_file = tmp_path / "booths.csv"
    csv_file.write_text(sheet, encoding="utf-8")
    page.get_by_label("摊位表（CSV 或 XLSX）").set_input_files(str(csv_file))
    page.get_by_role("button", name="上传并预览").click()


@SIZES
def test_a_sheet_with_errors_brings_its_errors_into_view(live_server, browser, organiser, draft_fair, tmp_path, size):
    page = browser.new_context(**size).new_page()
    sign_in(page, live_server, "organiser")
    _upload(page, live_server, draft_fair, tmp_path, BAD_SHEET)
    errors = page.get_by_role("alert", name="表中有2处错误，未导入任何摊位：")
    expect(errors.locator("p").first).to_be_focused()  # its first line, with the list below it
    expect(errors).to_be_in_viewport(ratio=0.95)  # whole, but for a fraction of a pixel
    expect(errors.get_by_role("listitem")).to_have_count(2)
    assert page.evaluate("window.scrollY") > 0  # the page moved to it
    _shot(page, f"import-errors-{'phone' if size is PHONE else 'tablet'}")
    page.context.close()


@SIZES
def test_a_good_sheet_brings_its_preview_into_view(live_server, browser, organiser, draft_fair, tmp_path, size):
    page = browser.new_context(**size).new_page()
    sign_in(page, live_server, "organiser")
    _upload(page, live_server, draft_fair, tmp_path, GOOD_SHEET)
    preview = page.get_by_role("region", name="导入预览")
    heading = preview.get_by_role("heading", name="导入预览")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport(ratio=1)
    expect(preview.get_by_text("新摊位40个")).to_be_in_viewport(ratio=1)  # what follows it shows too
    _shot(page, f"import-preview-{'phone' if size is PHONE else 'tablet'}")
    page.context.close()


def test_without_a_script_the_preview_is_focused_all_the_same(live_server, browser, organiser, draft_fair, tmp_path):
    """A plain POST answers the whole page; autofocus brings the result into view."""
    page = browser.new_context(**PHONE, java_script_enabled=False).new_page()
    sign_in(page, live_server, "organiser")
    _upload(page, live_server, draft_fair, tmp_path, GOOD_SHEET)
    heading = page.get_by_role("region", name="导入预览").get_by_role("heading", name="导入预览")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport(ratio=1)
    _shot(page, "import-preview-no-script")
    page.context.close()


def _open_plan(page, base, item):
    page.goto(f"{base}/staff/requests/{item.id}")
    page.get_by_text("现场拿出解决方案", exact=True).click()
    page.get_by_label("解决方案").fill("会后五个工作日内组织现场踏勘。")
    page.get_by_label("责任人").fill("赵科长")


@SIZES
def test_a_refused_step_brings_its_message_into_view(live_server, browser, fair, size):
    item = request_in(fair, Status.in_progress, "B07")
    page = browser.new_context(**size).new_page()
    sign_in(page, live_server, "b07")
    _open_plan(page, live_server, item)
    page.get_by_label("完成时限").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="记录解决方案").click()
    message = page.locator("#request-panel .notice.error")
    expect(message).to_have_text("完成时限不能早于今天。")
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
    _shot(page, f"refused-step-{'phone' if size is PHONE else 'tablet'}")

    # A field in error comes first, as on the company's form.
    page.get_by_label("解决方案").fill("")
    page.get_by_role("button", name="记录解决方案").click()
    expect(page.get_by_label("解决方案")).to_be_focused()
    expect(page.get_by_label("解决方案")).to_be_in_viewport()
    page.context.close()


def test_a_stale_step_brings_its_message_into_view(live_server, browser, fair):
    """Someone else moved the request after the page was shown: the step is refused, and says so."""
    item = request_in(fair, Status.in_progress, "B07")
    page = browser.new_context(**TABLET).new_page()
    sign_in(page, live_server, "b07")
    _open_plan(page, live_server, item)
    page.get_by_label("完成时限").fill((date.today() + timedelta(days=14)).isoformat())
    other = page.context.new_page()  # the same request on another tab: a note moves its version
    other.goto(f"{live_server}/staff/requests/{item.id}")
    other.get_by_text("添加备注", exact=True).click()
    other.get_by_label("备注").fill("企业补充了材料。")
    other.get_by_role("button", name="保存备注").click()
    expect(other.locator("#request-panel .notice.success")).to_be_visible()
    page.get_by_role("button", name="记录解决方案").click()
    message = page.locator("#request-panel .notice.error")
    expect(message).to_be_visible()
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
    _shot(page, "stale-step-tablet")
    page.context.close()


def test_without_a_script_a_refused_step_is_focused_all_the_same(live_server, browser, fair):
    """The step posts as a plain form and the answer is the whole page, its message autofocused."""
    item = request_in(fair, Status.in_progress, "B07")
    page = browser.new_context(**PHONE, java_script_enabled=False).new_page()
    sign_in(page, live_server, "b07")
    _open_plan(page, live_server, item)
    page.get_by_label("完成时限").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="记录解决方案").click()
    message = page.locator("#request-panel .notice.error")
    expect(message).to_have_text("完成时限不能早于今天。")
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
    page.context.close()
