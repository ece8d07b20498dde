"""Booths from a spreadsheet: a CSV or XLSX with one booth a row. Every bad row is reported with its
line and reason, and nothing is imported while any row is bad."""
import csv
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook

from kiosk.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, Zone

#: the template's header, in the order of its columns
COLUMNS = ("摊位号", "部门或机构名称", "类型", "专区")
KINDS = {"部门": DepartmentKind.department, "银行": DepartmentKind.bank, "金融机构": DepartmentKind.bank}
CODE = re.compile(r"[A-Z][0-9]{2,3}")
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
    if not rows or [c.strip() for c in rows[0][:4]] != list(COLUMNS):
        return [], [RowError(1, _l("第一行须为表头：%(columns)s", columns="、".join(COLUMNS)))]
    taken_codes = {b.code for b in fair.booths}
    taken_departments = {b.department.name for b in fair.booths}
    good, errors, seen_codes, seen_departments = [], [], {}, {}
    for line, cells in enumerate(rows[1:], start=2):
        cells = (cells + [""] * 4)[:4]
        if not any(cells):
            continue  # blank lines between blocks are common in hand-made sheets
        code, department, kind, zone = cells[0].upper(), cells[1], cells[2], cells[3]
        reason = None
        if not code or not department or not kind or not zone:
            reason = _l("四列都必须填写")
        elif not CODE.fullmatch(code):
            reason = _l("摊位号“%(code)s”格式不对，应为一个大写字母加两到三位数字，如 B07", code=code)
        elif kind not in KINDS:
            reason = _l("类型“%(kind)s”不对，应为“部门”或“银行”", kind=kind)
        elif code in taken_codes:
            reason = _l("摊位号 %(code)s 在本场大集已存在", code=code)
        elif code in seen_codes:
            reason = _l("摊位号 %(code)s 与第%(line)d行重复", code=code, line=seen_codes[code])
        elif department in taken_departments:
            reason = _l("“%(name)s”在本场大集已有摊位", name=department)
        elif department in seen_departments:
            reason = _l("“%(name)s”与第%(line)d行重复", name=department, line=seen_departments[department])
        elif len(department) > 200 or len(zone) > 100:
            reason = _l("名称过长")
        if reason:
            errors.append(RowError(line, reason))
            continue
        seen_codes[code], seen_departments[department] = line, line
        good.append(BoothRow(line, code, department, KINDS[kind], zone))
    if not good and not errors:
        errors.append(RowError(2, _l("表中没有摊位")))
    return good, errors


def import_booths(fair: Fair, rows: list[BoothRow]) -> int:
    """Create the zones, departments and booths the rows name, in one transaction."""
    zones = {z.name: z for z in fair.zones}
    for row in rows:
        zone = zones.get(row.zone)
        if zone is None:
            zone = zones[row.zone] = Zone(fair=fair, name=row.zone, position=len(zones) + 1)
            db.session.add(zone)
        department = db.session.scalar(sa.select(Department).filter_by(name=row.department))
        if department is None:
            department = Department(name=row.department, kind=row.kind)
        db.session.add(Booth(fair=fair, zone=zone, department=department, code=row.code))
    db.session.commit()
    return len(rows)
