"""An organiser's day, in a real browser: set the fair up, print posters, watch it live, close it,
print the tally."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.helpers import fill_request, sign_in

pytestmark = pytest.mark.browser

BOOTHS_CSV = ("摊位号,部门或机构名称,类型,专区\nK01,演示市自然资源局,部门,要素保障部门专区\n"
              "K02,演示市农商银行,银行,金融服务专区\n")


def test_set_up_watch_close_and_print(live_server, browser, phone, organiser, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "organiser")
    page.goto(f"{live_server}/organiser/")
    page.get_by_label("大集名称").fill("演示市要素保障大集")
    page.get_by_label("日期").fill("2026-12-01")
    page.get_by_label("地点").fill("演示市会展中心")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("演示市要素保障大集")

    adding = page.locator("form", has=page.get_by_role("button", name="添加专区"))
    for zone in ("要素保障部门专区", "金融服务专区"):  # a sheet names zones the fair has
        adding.get_by_label("专区名称").fill(zone)
        adding.get_by_role("button", name="添加专区").click()
        expect(page.locator(".zone-head h3", has_text=zone)).to_be_visible()
    csv_file = tmp_path / "booths.csv"
    csv_file.write_text(BOOTHS_CSV, encoding="utf-8")
    page.get_by_label("摊位表（CSV 或 XLSX）").set_input_files(str(csv_file))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入以上变动").click()
    expect(page.locator(".notice.success")).to_contain_text("已新增2个摊位")
    expect(page.locator(".booth-grid")).to_contain_text(["K01 演示市自然资源局", "K02 演示市农商银行"])

    with page.expect_download() as download:
        page.get_by_role("link", name="下载二维码海报").click()
    posters = PdfReader(download.value.path())
    assert len(posters.pages) == 3 and "K01" in posters.pages[0].extract_text()

    page.get_by_role("button", name="开放大集，开始受理").click()
    expect(page.locator(".badge.fair-open")).to_be_visible()
    page.get_by_role("link", name="实时看板").click()
    expect(page.locator("#total-received")).to_have_text("0")

    phone.goto(f"{live_server}/b/K01")
    fill_request(phone, "土地", "新建厂房需用地。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".ticket-no")).to_have_text("K01-001")

    expect(page.locator("#total-received")).to_have_text("1")  # the dashboard, never reloaded
    expect(page.locator("#live")).to_contain_text("K01-001")

    page.get_by_role("link", name="演示市要素保障大集").click()
    page.get_by_role("link", name="闭幕并冻结统计…").click()
    # The request still waiting goes to its booth's department (会后办理), the page's default.
    expect(page.locator(".still-open")).to_contain_text("K01-001")
    expect(page.get_by_label("K01-001 闭幕时的去向")).to_have_value("handover")
    page.locator("details.irreversible summary").click()
    page.get_by_role("button", name="确认闭幕").click()
    expect(page.locator(".has-error")).to_contain_text("还没有勾选确认")
    page.get_by_label("我已核对仍未办完的需求及其去向，确认闭幕").check()
    page.get_by_role("button", name="确认闭幕").click()
    expect(page.locator(".badge.fair-closed")).to_be_visible()
    page.get_by_role("link", name="闭幕统计").click()
    expect(page.locator(".tally-page")).to_contain_text("要素保障部门专区受理企业需求1项")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载PDF（打印）").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace(" ", "")
    assert "演示市要素保障大集" in text and "要素保障部门专区受理企业需求1项" in text and "演示市自然资源局" in text
    context.close()


def test_the_hall_screen_updates_itself_with_nothing_blocked(live_server, app, tablet, phone, organiser, fair):
    app.config.update(DASHBOARD_POLL_SECONDS=1)
    sign_in(tablet, live_server, "organiser")
    tablet.goto(f"{live_server}/organiser/fairs/{fair.id}/screen")
    expect(tablet.locator(".topbar")).to_have_count(0)
    received = tablet.locator(".screen-totals .value").first
    expect(received).to_have_text("0")
    phone.goto(f"{live_server}/b/B07")
    fill_request(phone, "土地", "新建厂房需用地。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".ticket-no")).to_have_text("B07-001")
    expect(received).to_have_text("1")  # the screen, never reloaded


def test_the_organisers_bar_fits_a_360_px_phone_with_every_link_whole(live_server, phone, organiser):
    """Nine links and the sign-out: on a small phone they wrap onto lines of their own. No link is
    broken across lines (Chinese breaks between any two characters: squeezed, they stood one
    character a line) and the fair's name beside them keeps its room."""
    phone.set_viewport_size({"width": 360, "height": 640})
    sign_in(phone, live_server, "organiser")
    phone.goto(f"{live_server}/organiser/")
    links = phone.locator(".topbar nav a, .topbar nav button")
    assert links.count() >= 10
    for n in range(links.count()):
        one_line = links.nth(n).evaluate(
            "e => e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize)")
        box = links.nth(n).bounding_box()
        assert one_line and box["x"] >= 0 and box["x"] + box["width"] <= 360, links.nth(n).inner_text()
    brand = phone.locator(".topbar .brand")
    assert brand.evaluate("e => e.clientWidth > 0 && e.scrollWidth <= e.clientWidth"), "the brand is squeezed"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
