"""The exports a city's spreadsheets use: typed XLSX cells with widths and a frozen header, every
field of a request, and a CSV Excel opens in Chinese; nothing a company typed can break or run."""
import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kiosk.core.spreadsheets import safe_cell
from kiosk.service_requests.models import Category, Status
from tests.factories import answers, request_in
from tests.helpers import login

#: a plan's due date, which the workflow wants in the future
DUE = date.today() + timedelta(days=30)


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


def workbook(boss, fair):
    response = boss.get(f"/organiser/fairs/{fair.id}/requests.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def by_ticket(sheet) -> dict[str, dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_xlsx_numbers_amounts_and_times_are_typed_cells(app, boss, fair):
    funded = request_in(fair, Status.planned, "F01", category=Category.funding, need="流动资金贷款",
                        amount_wan=Decimal("500.50"), due=DUE,
                        slip=answers(4, [5, 4, 3, 4, 5], comment="办事快"))
    sheet = workbook(boss, fair)
    row = by_ticket(sheet)[funded.ticket_no]
    assert row["金额（万元）"] == pytest.approx(500.5) and isinstance(row["金额（万元）"], float)
    assert isinstance(row["提交时间"], datetime) and isinstance(row["办结/出方案时间"], datetime)
    assert row["完成时限"] == datetime(DUE.year, DUE.month, DUE.day)  # a day: Excel keeps days as dates at midnight
    scored = ("业务水平", "服务态度", "工作效率", "代办手续及解决问题", "廉洁自律", "总体评价")
    assert [row[h] for h in scored] == [5, 4, 3, 4, 5, 4]
    header = [cell.value for cell in sheet[1]]
    cells = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in header}
    assert cells["金额（万元）"].data_type == "n" and cells["总体评价"].data_type == "n"
    assert cells["提交时间"].is_date and "yy" in cells["提交时间"].number_format
    assert cells["完成时限"].is_date and cells["完成时限"].number_format == "yyyy-mm-dd"
    assert cells["手机号码"].data_type == "s"  # a phone number is text: no 1.39E+10, no lost zeros


def test_each_slip_score_has_its_level_in_words_beside_it(app, boss, fair):
    rated = request_in(fair, Status.resolved, "B07", slip=answers(2, [5, 4, 3, 2, 1]))
    unrated = request_in(fair, Status.waiting, "B01")
    sheet = workbook(boss, fair)
    header = [cell.value for cell in sheet[1]]
    assert header[header.index("业务水平") + 1] == "业务水平（等级）"
    assert header[header.index("总体评价") + 1] == "总体评价（等级）"
    rows = by_ticket(sheet)
    row = rows[rated.ticket_no]
    scored = ("业务水平", "服务态度", "工作效率", "代办手续及解决问题", "廉洁自律", "总体评价")
    assert [(row[h], row[f"{h}（等级）"]) for h in scored] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"), (2, "不满意")]
    assert rows[unrated.ticket_no]["总体评价（等级）"] is None
    english = {"Accept-Language": "en"}
    text = boss.get(f"/organiser/fairs/{fair.id}/requests.csv", headers=english).data.decode("utf-8-sig")
    line = next(r for r in csv.DictReader(io.StringIO(text)) if r["需求编号"] == rated.ticket_no)
    # in Chinese, as the headers are, whatever the organiser's language
    assert (line["总体评价"], line["总体评价（等级）"]) == ("2", "不满意")


def test_xlsx_has_every_field_of_a_request(app, boss, fair):
    moved = request_in(fair, Status.resolved, "B07", transferred_to="F01", resolution="当场放款",
                       slip=answers(2, confirmed=False, comment="等了很久"))
    planned = request_in(fair, Status.planned, "B01", plan_text="下周踏勘", slip=answers(5))
    rows = by_ticket(workbook(boss, fair))
    row = rows[moved.ticket_no]
    assert row["转办经过"] == "B07→F01" and row["牵头摊位号"] == "F01"
    assert row["状态"] == "现场办结" and row["办理情况"] == "当场放款"
    assert row["企业确认办理结果"] == "否" and row["企业意见"] == "等了很久" and row["总体评价"] == 2
    plan = rows[planned.ticket_no]
    assert plan["状态"] == "已拿出解决方案" and plan["解决方案"] == "下周踏勘"
    assert plan["责任单位"] == "规划科" and plan["责任人"] == "赵科长" and plan["企业确认办理结果"] == "是"
    assert plan["转办经过"] is None and plan["企业意见"] is None


def test_xlsx_header_is_frozen_bold_filtered_and_columns_have_widths(app, boss, fair):
    request_in(fair)
    sheet = workbook(boss, fair)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    header = [cell.value for cell in sheet[1]]
    assert len(widths) == len(header) and all(width >= 8 for width in widths.values())
    assert widths[sheet.cell(row=1, column=header.index("需求内容") + 1).column_letter] > widths["A"]


def test_a_hostile_control_character_neither_breaks_the_xlsx_nor_hides_a_formula(app, boss, fair):
    # (\x00 never gets this far: the form drops it, and PostgreSQL could not store it)
    item = request_in(fair, company_name="\x1b=HYPERLINK(\"http://x\")有限公司", contact_name="王\x0b五",
                      need="-\x08用地")
    row = by_ticket(workbook(boss, fair))[item.ticket_no]
    assert row["企业名称"] == "'=HYPERLINK(\"http://x\")有限公司"
    assert row["联系人"] == "王五" and row["需求内容"] == "'-用地"


def test_safe_cell_keeps_newlines_and_neutralises_every_formula_start():
    assert safe_cell("第一行\n第二行") == "第一行\n第二行"
    for start in "=+-@":
        assert safe_cell(f"{start}1") == f"'{start}1"
    assert safe_cell("\x07@SUM(A1)") == "'@SUM(A1)"


def test_csv_starts_with_a_bom_and_carries_the_same_values_as_text(app, boss, fair):
    item = request_in(fair, Status.resolved, "F01", category=Category.funding, amount_wan=Decimal("80"),
                      company_name="+甲公司", slip=answers(5))
    data = boss.get(f"/organiser/fairs/{fair.id}/requests.csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    row = dict(zip(rows[0], next(r for r in rows if r[0] == item.ticket_no), strict=True))
    assert row["金额（万元）"] == "80.00" and row["企业名称"] == "'+甲公司" and row["总体评价"] == "5"
    assert len(row["提交时间"]) == len("2026-06-13 09:30") and row["企业确认办理结果"] == "是"
    assert rows[0] == [cell.value for cell in workbook(boss, fair)[1]]


def test_an_export_of_a_fair_without_requests_is_its_header(app, boss, fair):
    sheet = workbook(boss, fair)
    assert sheet.max_row == 1 and sheet["A1"].value == "需求编号"
