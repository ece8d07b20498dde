"""Booths from a spreadsheet: a CSV or XLSX with one booth a row. Every bad row is reported with its
line and reason, and nothing is imported while any row is bad.

What a fair can take is fairs.setup's to say, as for a booth typed in by hand; this module reads
sheets, names its columns and kinds, and reports rows of one sheet that clash with each other by
their lines.
"""
import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook

from kiosk.fairs.models import DepartmentKind, Fair
from kiosk.fairs.setup import add_booth, booth_problems, normalise_code
from kiosk.refusals import filled

#: the template's header, in the order of its columns
COLUMNS = ("摊位号", "部门或机构名称", "类型", "专区")
KINDS = {"部门": DepartmentKind.department, "银行": DepartmentKind.bank, "金融机构": DepartmentKind.bank}
EXAMPLE = [("B01", "泰安市自然资源和规划局", "部门", "要素保障部门专区"),
           ("F01", "中国工商银行泰安分行", "银行", "金融服务专区")]


@dataclass
class BoothRow:
    line: int
    code: str
    department: str
    kind: DepartmentKind
    zone: str


@dataclass
class RowError:
    line: int
    reason: str


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(EXAMPLE)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "摊位"
    sheet.append(COLUMNS)
    for row in EXAMPLE:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The sheet's rows as text, header included; raises ValueError for a file it cannot read."""
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ValueError("unreadable") from error
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("unreadable")
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    raise ValueError("type")


def check_rows(fair: Fair, rows: list[list[str]]) -> tuple[list[BoothRow], list[RowError]]:
    """The sheet's booths, and a reason for each bad row (the first rule it breaks). Reads only."""
    if not rows or [c.strip() for c in rows[0][:4]] != list(COLUMNS):
        return [], [RowError(1, _l("第一行须为表头：%(columns)s", columns="、".join(COLUMNS)))]
    good, errors, seen_codes, seen_departments = [], [], {}, {}
    for line, cells in enumerate(rows[1:], start=2):
        cells = (cells + [""] * 4)[:4]
        if not any(cells):
            continue  # blank lines between blocks are common in hand-made sheets
        code, department, kind, zone = normalise_code(cells[0]), cells[1], cells[2], cells[3]
        reason = None
        if not code or not department or not kind or not zone:
            reason = _l("四列都必须填写")
        elif problems := booth_problems(fair, code, department, zone):
            reason = problems[0].message
        elif kind not in KINDS:
            reason = filled(_l("类型“%(kind)s”不对，应为“部门”或“银行”"), kind=kind)
        elif code in seen_codes:
            reason = filled(_l("摊位号 %(code)s 与第%(line)d行重复"), code=code, line=seen_codes[code])
        elif department in seen_departments:
            reason = filled(_l("“%(name)s”与第%(line)d行重复"), name=department, line=seen_departments[department])
        if reason:
            errors.append(RowError(line, reason))
            continue
        seen_codes[code], seen_departments[department] = line, line
        good.append(BoothRow(line, code, department, KINDS[kind], zone))
    if not good and not errors:
        errors.append(RowError(2, _l("表中没有摊位")))
    return good, errors


def import_booths(fair: Fair, rows: list[BoothRow]) -> int:
    """Add the booths the rows name, with the zones and departments they name that do not exist yet.
    The rows come from check_rows; fairs.setup checks each again as it is added (the earlier rows'
    booths included) and the database's constraints catch one someone else added meanwhile. Does not
    commit: the caller's unit of work imports all of them or none."""
    for row in rows:
        add_booth(fair, row.zone, row.code, row.department, row.kind)
    return len(rows)
