"""A closed reconciliation round on paper and in a spreadsheet, made from its frozen data only, so
that they read the same whenever they are printed. Outputs are (filename, mimetype, bytes); the PDF
goes through kiosk.core.pdf (the bundled Chinese font, our own files only), as the tally does."""
import io
from datetime import date

from flask import render_template
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kiosk.core.pdf import render_pdf
from kiosk.core.spreadsheets import DAY_FORMAT, safe_cell
from kiosk.ledger.models import Mark, ReconciliationRound
from kiosk.service_requests.models import CATEGORY_LABELS, STATUS_LABELS, Category, Status

PDF_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
body { font-size: 9.5pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; }
p { margin: 2pt 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 0.6pt solid #888; padding: 2pt 3pt; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
td.num { text-align: right; }
table.rows td { font-size: 8pt; }
.overdue { font-weight: bold; }
table.departments th:first-child { width: 34%; }
table.rows th:nth-child(1) { width: 7%; } table.rows th:nth-child(2) { width: 13%; }
table.rows th:nth-child(3) { width: 12%; } table.rows th:nth-child(4) { width: 16%; }
table.rows th:nth-child(5) { width: 9%; } table.rows th:nth-child(6), table.rows th:nth-child(7) { width: 7%; }
table.rows th:nth-child(8) { width: 4%; } table.rows th:nth-child(9) { width: 7%; } table.rows th:nth-child(10) { width: 12%; }
"""

#: the spreadsheet's columns: header, key in a frozen row, width
XLSX_COLUMNS = [
    ("需求编号", "ticket", 11), ("大集", "fair", 22), ("牵头部门", "department", 22), ("企业名称", "company", 26),
    ("需求类别", "category", 10), ("需求内容", "need", 36), ("责任单位", "unit", 16), ("责任人", "person", 10),
    ("原定完成时限", "plan_due", 12), ("当前完成时限", "due_now", 12), ("延期次数", "extensions", 8),
    ("状态", "status", 12), ("逾期", "overdue", 6), ("对账结果", "mark", 10), ("新的完成时限", "new_due", 12),
    ("对账说明", "note", 30),
]
FIGURE_NAMES = {"listed": "列入对账", "closed_out": "销号", "extended": "延期", "open": "仍在办理",
                "closed_out_on_time": "按原定时限销号", "closed_out_late": "晚于原定时限销号",
                "overdue": "对账结束时逾期未销号", "extended_items": "有延期的事项"}


def round_pdf(round_: ReconciliationRound) -> tuple[str, str, bytes]:
    html = render_template("ledger/round_pdf.html", round=round_, f=round_.frozen, text=_texts())
    return f"reconciliation-{round_.name}.pdf", "application/pdf", render_pdf(html, PDF_CSS)


def round_xlsx(round_: ReconciliationRound) -> tuple[str, str, bytes]:
    frozen, text = round_.frozen, _texts()
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([f"{frozen['round']} 季度对账销号", f"清单截止 {frozen['starts_on']}", f"对账结束 {frozen['taken_on']}"])
    for key, name in FIGURE_NAMES.items():
        summary.append([name, frozen["figures"][key]])
    summary.append([])
    summary.append(["部门", "事项", "办理中", "已办结待销号", "已销号", "按期销号", "逾期"])
    for row in frozen["departments"]:
        summary.append([safe_cell(row["department"]), row["items"], row["open"], row["done"], row["closed_out"],
                        row["closed_out_on_time"], row["overdue"]])
    summary.column_dimensions["A"].width = 30
    sheet = book.create_sheet("事项")
    sheet.append([header for header, _key, _width in XLSX_COLUMNS])
    for row in frozen["rows"]:
        sheet.append([_cell(key, row[key], text) for _header, key, _width in XLSX_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, (_header, key, width) in enumerate(XLSX_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        if key in ("plan_due", "due_now", "new_due"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = DAY_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return (f"reconciliation-{round_.name}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", out.getvalue())


def _texts() -> dict:
    """The labels a frozen row's codes are shown with, in Chinese (the city's documents are)."""
    with force_locale("zh_CN"):
        return {"category": {c.value: str(CATEGORY_LABELS[c]) for c in Category},
                "status": {s.value: str(STATUS_LABELS[s]) for s in Status},
                "mark": {m.value: str(m.label) for m in Mark}}


def _cell(key: str, value, text: dict):
    if key in text:
        return text[key].get(value, value)
    if key in ("plan_due", "due_now", "new_due"):
        return date.fromisoformat(value) if value else None
    if key == "overdue":
        return "是" if value else ""
    return safe_cell(value) if isinstance(value, str) else value
