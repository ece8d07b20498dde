"""The bottleneck analysis (共性堵点) on paper for the monthly meeting, and as a spreadsheet: made from
the Analysis the page shows (kiosk.supervision.analysis), in Chinese as the city's documents are.
Outputs are (filename, mimetype, bytes); the PDF goes through kiosk.core.pdf (the bundled Chinese
font, our own files only), text cells through safe_cell."""
import io

from flask import render_template
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kiosk.core.pdf import render_pdf
from kiosk.core.spreadsheets import DAY_FORMAT, safe_cell
from kiosk.supervision.analysis import DEFINITIONS, FLAGS, GROUPS_SHOWN, Analysis, stuck_companies
from kiosk.supervision.analysis_charts import charts

PDF_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
body { font-size: 9.5pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 10pt 0 4pt; page-break-after: avoid; }
p, ul { margin: 2pt 0; }
ul.definitions { font-size: 8.5pt; color: #333; padding-left: 14pt; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
table.figures th, table.figures td, table.totals th, table.totals td { border: 0.6pt solid #888; padding: 2pt 4pt; }
table.figures th, table.totals th { background: #eee; }
table.narrow { width: 60%; }
td.num { text-align: right; }
.charts figure { margin: 6pt 0; page-break-inside: avoid; }
figure.chart figcaption { font-weight: bold; }
.chart-legend { font-size: 8pt; color: #444; }
.chart-legend .key { margin-right: 8pt; }
table.bars { table-layout: fixed; }
table.bars th { width: 22%; text-align: left; font-weight: normal; padding: 1pt 4pt 1pt 0; }
table.bars td.bar { padding: 1.5pt 0; }
table.bars td { padding: 0; }
table.bars tbody + tbody tr:first-child > * { border-top: 4pt solid #fff; }
.gbar-svg { display: block; width: 100%; height: 6pt; }
td.gnum { width: 2.4em; text-align: right; font-size: 7pt; line-height: 1.1; }
.chart-scale { font-size: 7.5pt; color: #555; }
table.signatures { margin-top: 18pt; width: 100%; page-break-inside: avoid; }
table.signatures td { padding: 6pt 4pt; }
table.signatures td.blank { border-bottom: 0.6pt solid #111; width: 22%; }
.note { font-size: 8.5pt; color: #333; }
"""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the flags' names in the city's documents
NAMES = {"parked": "挂账", "parked_now": "仍在挂账", "extended": "延期", "disputed": "异议", "overdue": "逾期",
         "flagged": "堵点事项", "companies": "涉及企业"}
COUNTS = (*FLAGS, "flagged", "companies")
#: the most stuck items the spreadsheet lists (a province's every overdue item fits)
ITEMS_MAX = 200_000


def analysis_pdf(found: Analysis) -> tuple[str, str, bytes]:
    with force_locale("zh_CN"):
        html = render_template("supervision/analysis_pdf.html", a=found, charts=charts(found), flags=FLAGS,
                               groups_shown=GROUPS_SHOWN,
                               definitions={key: str(text) for key, text in DEFINITIONS.items()})
    return f"bottlenecks-{found.as_of.isoformat()}.pdf", "application/pdf", render_pdf(html, PDF_CSS)


def analysis_xlsx(found: Analysis) -> tuple[str, str, bytes]:
    with force_locale("zh_CN"):
        book = Workbook()
        _summary(book.active, found)
        _table(book.create_sheet("按类别"), ["类别", *(NAMES[k] for k in COUNTS), "反复反映"],
               [[str(line.name), *_counts(line.counts), line.recurring] for line in found.by_category])
        _table(book.create_sheet("按部门"), ["部门", *(NAMES[k] for k in COUNTS)],
               [[safe_cell(line.name), *_counts(line.counts)] for line in found.by_department])
        _table(book.create_sheet("挂账原因"), ["原因", "挂账", "仍在挂账", "涉及企业"],
               [[str(line.name), line.counts.parked, line.counts.parked_now, line.counts.companies]
                for line in found.by_cause])
        _table(book.create_sheet("原因×类别×部门"), ["挂账原因", "类别", "部门", *(NAMES[k] for k in COUNTS)],
               [[str(g.cause.label) if g.cause else "—", str(g.category.label), safe_cell(g.department),
                 *_counts(g.counts)] for g in found.groups])
        companies, _total = stuck_companies(found.scope, found.as_of, limit=ITEMS_MAX)
        items = _table(book.create_sheet("堵点事项"),
                       ["企业名称", "统一社会信用代码", "大集", "大集日期", "需求编号", "类别", "部门", "挂账原因",
                        *(NAMES[k] for k in FLAGS)],
                       [[safe_cell(c.name), c.credit_code, safe_cell(i.fair_name), i.fair_date, i.ticket_no,
                         str(i.category.label), safe_cell(i.department), str(i.cause.label) if i.cause else "",
                         *("是" if flag in i.flags else "" for flag in FLAGS)]
                        for c in companies for i in c.items])
        for (cell,) in items.iter_rows(min_row=2, min_col=4, max_col=4):
            cell.number_format = DAY_FORMAT
    out = io.BytesIO()
    book.save(out)
    return f"bottlenecks-{found.as_of.isoformat()}.xlsx", XLSX, out.getvalue()


def _counts(counts) -> list[int]:
    return [getattr(counts, key) for key in COUNTS]


def _summary(sheet, found: Analysis) -> None:
    sheet.title = "汇总"
    scope = ("、".join(filter(None, [f"{found.fair[0]}（{found.fair[1]}）" if found.fair else "",
                                    f"{found.scope.since or '…'} 至 {found.scope.until or '…'} 举办的大集"
                                    if found.scope.since or found.scope.until else ""])) or "全部大集")
    sheet.append(["企业诉求共性堵点分析", safe_cell(scope), f"统计截至 {found.as_of.isoformat()}"])
    sheet.append(["台账事项", found.items, str(DEFINITIONS["scope"])])
    totals = found.totals
    for key in ("parked", "parked_now", "extended", "disputed", "overdue", "flagged", "companies"):
        sheet.append([NAMES[key], getattr(totals, key), str(DEFINITIONS[key])])
    sheet.append(["反复反映的企业", found.recurring, str(DEFINITIONS["recurring"])])
    sheet.append([])
    sheet.append(["制表人：", "", "审核人：", "", "日期："])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 90
    sheet["A1"].font = Font(bold=True)


def _table(sheet, header: list[str], rows: list[list]):
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 14 if index > 1 else 28
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet
