"""An organiser corrects a fair's set-up in a real browser at desktop size: renames a booth, moves
one, deletes a test booth, hides one that has requests, and re-imports a corrected sheet after its
preview; the company's form no longer offers the hidden booth."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.fairs.models import DepartmentKind
from kiosk.organiser.fair_setup import add_booth
from kiosk.service_requests.models import Status
from tests.browser.conftest import TABLET
from tests.browser.helpers import sign_in
from tests.factories import booth, request_in

pytestmark = pytest.mark.browser

#: where the fair page's screenshots go, to be looked at by a person (desktop and tablet)
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "/tmp/kiosk-shots"))

CORRECTED_CSV = ("摊位号,部门或机构名称,类型,专区\n"
                 "B11,测试要素保障大集自然资源和规划局,部门,要素保障部门专区\n"
                 "F02,测试要素保障大集齐鲁银行,银行,要素保障部门专区\n"
                 "B30,演示市统计局,部门,要素保障部门专区\n")


def booth_card(page, fair, code):
    return page.locator(f"#booth-{booth(fair, code).id}")


def edit(card):
    card.locator("summary", has_text="修改").click()
    return card


def delete(card):
    edit(card).locator("summary", has_text="删除摊位").click()
    card.get_by_label("确认删除摊位").check()
    card.get_by_role("button", name="确认删除").click()


def test_an_organiser_corrects_a_set_up_and_re_imports_a_corrected_sheet(live_server, browser, phone, fair,
                                                                         organiser, tmp_path):
    add_booth(fair, fair.zones[0], "B99", "测试摊位请删除", DepartmentKind.department)
    db.session.commit()
    request_in(fair, Status.resolved, at="B07")
    cards = {code: booth(fair, code).id for code in ("B01", "B02", "B07", "B99")}
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "organiser")
    url = f"{live_server}/organiser/fairs/{fair.id}"
    page.goto(url)

    # Rename B01 (its code and its department's name).
    card = edit(page.locator(f"#booth-{cards['B01']}"))
    card.get_by_label("摊位号").fill("b11")
    card.get_by_label("部门或机构名称").fill("测试要素保障大集自然资源局")
    card.get_by_role("button", name="保存").click()
    expect(page.locator(".notice.success")).to_contain_text("摊位 B11 已保存")
    expect(page.locator(f"#booth-{cards['B01']}")).to_contain_text("B11 测试要素保障大集自然资源局")

    # A code too long is refused beside the field, as typed, never cut.
    card = edit(page.locator(f"#booth-{cards['B02']}"))
    card.get_by_label("摊位号").fill("B0005")
    card.get_by_role("button", name="保存").click()
    card = page.locator(f"#booth-{cards['B02']}")
    expect(card.locator(".error")).to_contain_text("摊位号应为一个大写字母加两到三位数字")
    expect(card.get_by_label("摊位号")).to_have_value("B0005")

    # Move B02 to the finance zone.
    card.get_by_label("摊位号").fill("B02")
    card.get_by_label("专区").select_option(label="金融服务专区")
    card.get_by_role("button", name="保存").click()
    finance = page.locator(".booth-grid").nth(1)
    expect(finance).to_contain_text("B02")

    # Delete the test booth; B07 has a request, so it is hidden instead.
    # (Deleting is irreversible: the button opens a box that says so, and only its tick and its own
    # button delete.)
    delete(page.locator(f"#booth-{cards['B99']}"))
    expect(page.locator(".notice.success")).to_contain_text("摊位 B99 已删除")
    expect(page.locator(".booth-grid")).not_to_contain_text(["B99"])
    delete(page.locator(f"#booth-{cards['B07']}"))
    expect(page.locator(".notice.success")).to_contain_text("B07 已有需求，不能删除")
    expect(page.locator(f"#booth-{cards['B07']} .badge.hidden-booth")).to_have_text("已停止受理")

    # Re-import a corrected sheet: preview first, then apply.
    sheet = tmp_path / "booths.csv"
    sheet.write_text(CORRECTED_CSV, encoding="utf-8")
    page.get_by_label("摊位表（CSV 或 XLSX）").set_input_files(str(sheet))
    page.get_by_role("button", name="上传并预览").click()
    preview = page.locator("#import-preview")
    expect(preview.locator("tr.changed")).to_contain_text([
        "名称 测试要素保障大集自然资源局 → 测试要素保障大集自然资源和规划局", "专区 金融服务专区 → 要素保障部门专区"])
    expect(preview.locator("tr.new")).to_contain_text("B30")
    expect(preview).to_contain_text("保持不变，不会删除")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "fair-preview-desktop.png"), full_page=True)
    page.get_by_role("button", name="确认导入以上变动").click()
    expect(page.locator(".notice.success")).to_contain_text("已新增1个摊位，更新2个摊位")
    expect(page.locator(".booth-grid").first).to_contain_text("B30 演示市统计局")
    page.screenshot(path=str(SHOTS / "fair-desktop.png"), full_page=True)

    tablet = browser.new_context(**TABLET).new_page()
    tablet.goto(f"{live_server}/login")
    sign_in(tablet, live_server, "organiser")
    tablet.goto(url)
    edit(tablet.locator(f"#booth-{cards['B07']}"))
    tablet.screenshot(path=str(SHOTS / "fair-tablet.png"), full_page=True)
    tablet.context.close()

    # The company: B07's address says it takes no requests; the fair's form does not offer it.
    phone.goto(f"{live_server}/b/B07")
    expect(phone.locator(".notice")).to_contain_text("摊位 B07（测试要素保障大集工业和信息化局）已不再受理需求")
    phone.get_by_role("link", name="选择其他摊位提交需求").click()
    options = phone.locator("select#booth option").all_text_contents()
    assert any(o.startswith("B30") for o in options) and not any(o.startswith("B07") for o in options)
    context.close()
