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
from kiosk.core.rendering import percent
from kiosk.core.spreadsheets import DAY_FORMAT, safe_cell
from kiosk.ledger.models import Mark, ReconciliationRound
from kiosk.ledger.round_figures import DEFINITIONS
from kiosk.service_requests.after_fair import AFTER_CLOSE_LABELS
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
.ticket-ref { white-space: nowrap; }
.fair-of-ticket { font-size: 7pt; color: #444; }
.overdue { font-weight: bold; }
table.departments th:first-child { width: 34%; }
table.rows th:nth-child(1) { width: 7%; } table.rows th:nth-child(2) { width: 13%; }
table.rows th:nth-child(3) { width: 12%; } table.rows th:nth-child(4) { width: 16%; }
table.rows th:nth-child(5) { width: 9%; } table.rows th:nth-child(6), table.rows th:nth-child(7) { width: 7%; }
table.rows th:nth-child(8) { width: 4%; } table.rows th:nth-child(9) { width: 7%; }
table.rows th:nth-child(10) { width: 12%; }
"""

#: the spreadsheet's columns: header, key in a frozen row, width
XLSX_COLUMNS = [
    ("需求编号", "ticket", 11), ("大集", "fair", 22), ("牵头部门", "department", 22), ("企业名称", "company", 26),
    ("需求类别", "category", 10), ("需求内容", "need", 36), ("责任单位", "unit", 16), ("责任人", "person", 10),
    ("原定完成时限", "plan_due", 12), ("当前完成时限", "due_now", 12), ("延期次数", "extensions", 8),
    ("状态", "status", 12), ("逾期", "overdue", 6), ("对账结果", "mark", 10), ("新的完成时限", "new_due", 12),
    ("对账说明", "note", 30), ("销号日期", "closed_out_on", 12), ("按原定时限销号", "on_time", 8),
    ("企业异议", "disputed", 8),
    # last, so that the columns a city's sheets already read stay where they were; a round frozen
    # before these were kept leaves them empty
    ("大集日期", "fair_date", 12), ("大集需求编号", "no", 24),
    ("挂账", "parked", 6),
]
#: the frozen figures in the order the summaries give them (a round frozen before the disputed count
#: and the completion rate were has neither)
FIGURE_NAMES = {"listed": "列入对账", "closed_out": "销号", "extended": "延期", "open": "仍在办理",
                "closed_out_on_time": "按原定时限销号", "closed_out_late": "晚于原定时限销号",
                "overdue": "对账结束时逾期未销号", "parked": "对账结束时挂账", "extended_items": "有延期的事项",
                "disputed": "企业异议", "completion_rate": "完成率"}
DAYS = ("plan_due", "due_now", "new_due", "closed_out_on", "fair_date")


def round_pdf(round_: ReconciliationRound) -> tuple[str, str, bytes]:
    frozen = round_.frozen
    html = render_template("ledger/round_pdf.html", round=round_, f=frozen, text=_texts(),
                           figure_names=_figure_names(frozen), definitions=_definitions(frozen))
    return f"reconciliation-{round_.name}.pdf", "application/pdf", render_pdf(html, PDF_CSS)


def round_xlsx(round_: ReconciliationRound) -> tuple[str, str, bytes]:
    frozen, text = round_.frozen, _texts()
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    quarter = (f"{frozen['starts_on']} 至 {frozen['ends_on']}" if frozen.get("ends_on")
               else f"清单截止 {frozen['starts_on']}")
    summary.append([f"{frozen['round']} 季度对账销号", quarter, f"对账结束 {frozen['taken_on']}"])
    definitions = _definitions(frozen)
    for key, name in _figure_names(frozen):
        value = frozen["figures"][key]
        summary.append([name, percent(value) if key == "completion_rate" else value, definitions.get(key, "")])
    summary.append([])
    columns = [("部门", "department"), ("事项", "items"), ("办理中", "open"), ("已办结待销号", "done"),
               ("已销号", "closed_out"), ("按期销号", "closed_out_on_time"), ("逾期销号", "closed_out_late"),
               ("逾期", "overdue"), ("企业异议", "disputed")]
    if frozen["departments"] and "closed_out_late" not in frozen["departments"][0]:  # frozen before they were
        columns = [c for c in columns if c[1] not in ("closed_out_late", "disputed")]
    summary.append([header for header, _key in columns])
    for row in frozen["departments"]:
        summary.append([safe_cell(row[key]) if key == "department" else row[key] for _header, key in columns])
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["C"].width = 60
    sheet = book.create_sheet("事项")
    sheet.append([header for header, _key, _width in XLSX_COLUMNS])
    for row in frozen["rows"]:
        # a request handed over at its fair's close reads 会后办理, not a plan given (frozen since: after_close)
        shown = {**row, "status": row.get("after_close") or row.get("status")}
        sheet.append([_cell(key, shown.get(key), text) for _header, key, _width in XLSX_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, (_header, key, width) in enumerate(XLSX_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        if key in DAYS:
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
                "status": {s.value: str(STATUS_LABELS[s]) for s in Status}
                | {key: str(label) for key, label in AFTER_CLOSE_LABELS.items()},
                "mark": {m.value: str(m.label) for m in Mark}}


def _figure_names(frozen: dict) -> list[tuple[str, str]]:
    return [(key, name) for key, name in FIGURE_NAMES.items() if key in frozen["figures"]]


def _definitions(frozen: dict) -> dict:
    """The figures' definitions as frozen with them; for a round frozen before they were, today's."""
    if frozen.get("definitions"):
        return frozen["definitions"]
    with force_locale("zh_CN"):
        return {key: str(text) for key, text in DEFINITIONS.items()}


def _cell(key: str, value, text: dict):
    if key in text:
        return text[key].get(value, value)
    if key in DAYS:
        return date.fromisoformat(value) if value else None
    if key in ("overdue", "disputed", "parked"):
        return "是" if value else ""
    if key == "on_time":
        return {True: "是", False: "否"}.get(value, "")
    return safe_cell(value) if isinstance(value, str) else value
