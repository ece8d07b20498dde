"""The scoreboard's documents: the ranking as a PDF (the same body as its page) and as an XLSX with
every input in typed cells, so that a department can recompute its score in a spreadsheet; the
half-yearly disclosure as a PDF. Each returns (filename, mimetype, bytes)."""
import io
from decimal import Decimal
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kiosk.core.pdf import render_pdf
from kiosk.core.spreadsheets import safe_cell
from kiosk.figures.periods import Period
from kiosk.scoreboard.figures import min_counted_in_force
from kiosk.scoreboard.formula import KINDS, MIN_COUNTED_BEFORE, RATING_POINTS, Scoreboard
from kiosk.scoreboard.models import Disclosure, PublishedRanking

PDF_CSS = (Path(__file__).parent / "pdf.css").read_text()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: how Excel shows the typed cells: scores to two decimals, rates as percentages to a tenth
SCORE_FORMAT, RATE_FORMAT = "0.00", "0.0%"


def _stem(board: Scoreboard, frozen: PublishedRanking | None) -> str:
    return f"scoreboard-{board.period}" + (f"-r{frozen.revision}" if frozen else "-live")


def ranking_pdf(board: Scoreboard, frozen: PublishedRanking | None = None) -> tuple[str, str, bytes]:
    html = render_template("scoreboard/pdf.html", board=board, period=Period.parse(board.period), frozen=frozen,
                           definitions=definitions(board))
    return f"{_stem(board, frozen)}.pdf", "application/pdf", render_pdf(html, PDF_CSS)


#: the ranking sheet's columns: header, how to read the row, width, Excel format
def _columns(board: Scoreboard) -> list[tuple[str, callable, int, str | None]]:
    """Headed in Chinese whatever the organiser's language (the city's spreadsheets are)."""
    i = lambda name: lambda row: getattr(row.inputs, name)  # noqa: E731
    return [
        ("类别", lambda row: "部门" if row.kind == "department" else "金融机构", 8, None),
        ("排名", lambda row: row.rank, 6, None),
        ("不参与排名的原因", lambda row: unranked_words(board, row), 18, None),
        ("名次变化", lambda row: row.rank_change, 8, None),
        ("单位", lambda row: row.name, 28, None),
        ("总分", lambda row: row.total, 9, SCORE_FORMAT),
        ("总分变化", lambda row: row.total_change, 9, SCORE_FORMAT),
        ("比效果", lambda row: row.effect, 9, SCORE_FORMAT),
        ("比服务", lambda row: row.service, 9, SCORE_FORMAT),
        ("比效率", lambda row: row.efficiency, 9, SCORE_FORMAT),
        ("受理需求", i("received"), 9, None),
        ("撤回（不计）", i("withdrawn"), 9, None),
        ("当天答复", i("replied"), 9, None),
        ("按时答复率", lambda row: row.reply_rate, 10, RATE_FORMAT),
        ("现场办结", i("resolved"), 9, None),
        ("拿出方案", i("planned"), 9, None),
        ("已销号", i("closed_out"), 9, None),
        ("办结率", lambda row: row.completion_rate, 9, RATE_FORMAT),
        ("按期销号", i("closed_on_time"), 9, None),
        ("逾期未销号", i("open_overdue"), 10, None),
        ("挂账（不计入）", i("parked"), 10, None),
        ("按期销号率", lambda row: row.closeout_rate, 10, RATE_FORMAT),
        *((label, _rated(n), 9, None)
          for n, label in enumerate(("非常满意", "满意", "基本满意", "不满意", "非常不满意"))),
        ("其中销号评价", i("confirmation_ratings"), 10, None),
        ("满意率", lambda row: row.satisfied_share, 9, RATE_FORMAT),
    ]


def unranked_words(board: Scoreboard, row) -> str | None:
    """Why a row has no rank, as the page says it beside the unit's name (in Chinese, as the sheet)."""
    reason = board.unranked_reason(row)
    if reason == "none_received":
        return "本期未受理需求"
    if reason == "too_few":
        return f"受理需求{row.inputs.received}项，少于{board.min_counted}项"
    return None


def _rated(n: int):
    """How many ratings at the n-th level (0: 非常满意)."""
    return lambda row: row.inputs.ratings[n]


def ranking_xlsx(board: Scoreboard, frozen: PublishedRanking | None = None) -> tuple[str, str, bytes]:
    with force_locale("zh_CN"):
        columns = _columns(board)
        period = Period.parse(board.period)
        book = Workbook()
        sheet = book.active
        sheet.title = "排名"
        sheet.append([header for header, *_ in columns])
        for kind in KINDS:
            for row in board.of_kind(kind):
                sheet.append([_cell(read(row)) for _, read, *_ in columns])
        _dress(sheet, [(width, number_format) for _, _, width, number_format in columns])

        points = book.create_sheet("效率分")
        points.append(["单位", "月份", "效率分", "依据"])
        for row in board.rows:
            for entry in row.inputs.efficiency:
                points.append([safe_cell(row.name), entry["month"], Decimal(entry["points"]), safe_cell(entry["note"])])
        _dress(points, [(28, None), (9, None), (8, SCORE_FORMAT), (60, None)])

        about = book.create_sheet("计分说明")
        weights = board.weights
        lines = [
            ("期间", period.label),
            ("数据截至", board.as_of.isoformat()),
            ("状态", f"已发布（第{frozen.revision}版）" if frozen else "实时计算，未发布"),
            ("权重", f"比效果 {weights[0]}，比服务 {weights[1]}，比效率 {weights[2]}"),
            *((str(name), str(text)) for name, text in definitions(board)),
        ]
        for line in lines:
            about.append([safe_cell(part) for part in line])
        _dress(about, [(16, None), (100, None)])
    out = io.BytesIO()
    book.save(out)
    return f"{_stem(board, frozen)}.xlsx", XLSX, out.getvalue()


def _cell(value):
    """Text made safe for a spreadsheet (no formula, no control character: openpyxl refuses the
    file over one); numbers as they are, so that SUM and sort work."""
    return safe_cell(value) if isinstance(value, str) else value


def _dress(sheet, columns) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, (width, number_format) in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"


def definitions(board: Scoreboard | None = None) -> list[tuple[str, str]]:
    """Each input and score with its definition: on the page, the PDF and the XLSX alike. The
    ranking's rule is the board's own (a published ranking keeps the minimum it had); without a
    board, the minimum in force."""
    minimum = board.min_counted if board is not None else min_counted_in_force()
    labels = (_("非常满意"), _("满意"), _("基本满意"), _("不满意"), _("非常不满意"))
    points = _("，").join(f"{label} {RATING_POINTS[level]}"
                         for level, label in zip((5, 4, 3, 2, 1), labels, strict=True))
    return [
        (_("统计范围"), _("本期举办的大集（按大集日期）上受理的企业需求，按目前的牵头摊位（转办后为接办摊位）"
                      "计入其部门；撤回的需求不计。各项按数据截至日的状态统计；已发布的排名冻结在发布时。")),
        (_("按时答复率"), _("大集当天给出办理结果（现场办结或现场拿出解决方案）的需求数 ÷ 受理需求数。")),
        (_("办结率"), _("（现场办结数 + 已销号数）÷ 受理需求数。已办结待销号的不计为办结。")),
        (_("按期销号率"), _("在原定完成时限（延期不改变原定时限）当天或之前销号的需求数 ÷（已销号数 + 逾期未销号数）。"
                       "逾期未销号：办理中或已办结待销号、且已过当前完成时限的需求；经批准挂账、未到复核日期的"
                       "不计入，单独列为挂账。分母为0时不计此项。")),
        (_("比效果"), _("100 × 按时答复率、办结率、按期销号率的平均值（按期销号率不计时，取前两项的平均值）。")),
        (_("比服务"), _("每项需求计一个评价（一事一评）：企业对销号结果有评价的取该评价，"
                     "否则取大集当天测评表的总体评价；按好差评等级计分：%(points)s，取平均值。无评价时不计此项。",
                     points=points)),
        (_("比效率"), _("组织方按月为部门录入的效率分（0–100，附依据），取本期各月已录入分数的平均值。"
                     "未录入时不计此项。")),
        (_("总分"), _("（比效果 × 其权重 + 比服务 × 其权重 + 比效率 × 其权重）÷ 参与计分各项的权重之和。"
                   "各项得分与总分均四舍五入保留两位小数，总分由保留两位后的各项得分计算。")),
        (_("排名"), _ranking_rule(minimum)),
    ]


def _ranking_rule(minimum: int) -> str:
    """A ranking published before there was a minimum (any request ranked a unit) keeps its words."""
    if minimum <= MIN_COUNTED_BEFORE:
        return _("部门与金融机构分别排名；总分相同者名次相同。本期未受理需求的单位列出但不参与排名。"
                 "名次变化与上一期比较：上一期已发布的，以发布的排名为准；未发布的，按现在的数据计算。")
    return _("部门与金融机构分别排名；总分相同者名次相同。本期受理需求（撤回的不计）少于%(min)d项的单位列出各项数字，"
             "但不参与排名：需求太少，一两项的结果就会得满分或零分。"
             "名次变化与上一期比较：上一期已发布的，以发布的排名为准；未发布的，按现在的数据计算。", min=minimum)


def disclosure_pdf(disclosure: Disclosure) -> tuple[str, str, bytes]:
    html = render_template("disclosure/pdf.html", d=disclosure.snapshot, disclosure=disclosure,
                           period=Period.parse(disclosure.period))
    return f"disclosure-{disclosure.period}-r{disclosure.revision}.pdf", "application/pdf", render_pdf(html, PDF_CSS)

