"""A fair's requests, every field, as CSV and XLSX for the city's own spreadsheets.

The XLSX cells are typed (scores and amounts are numbers, times are dates with a format) so that a
city's SUM, filter and sort work on them; beside each slip score (1..5) its level on the 好差评
scale in words (5 非常满意 ... 1 非常不满意), so that a reader need not know which end is best.
The CSV carries the same values as text, with a BOM so that Excel reads the Chinese as UTF-8.
Anything a company typed is text a spreadsheet will not run (safe_cell) and holds no control
character (openpyxl refuses the file over one).
"""
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kiosk.core.extensions import db
from kiosk.core.spreadsheets import AMOUNT_FORMAT, DAY_FORMAT, TIME_FORMAT, safe_cell
from kiosk.fairs.models import Booth, Fair
from kiosk.service_requests.models import EventKind, ServiceRequest
from kiosk.slips.models import RATED, RATING_LABELS

#: a cell's value before it is written: text, a number, a time, a day, or nothing
Value = str | int | Decimal | datetime | date | None

@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[ServiceRequest, dict[int, str]], Value]
    #: in characters; a Chinese character takes about two
    width: int = 12


def _slip(name: str) -> Callable:
    return lambda r, _codes: getattr(r.slip, name) if r.slip else None


def _slip_words(name: str) -> Callable:
    """A slip's score (1..5) in the words of the 好差评 scale, for the column beside the number."""
    def words(r, _codes):
        score = getattr(r.slip, name) if r.slip else None
        return str(RATING_LABELS[score]) if score in RATING_LABELS else None
    return words


def _scored(name: str, label: str) -> list[Column]:
    """A slip's score as a number (SUM and AVERAGE work on it) and, beside it, its level in words."""
    return [Column(label, _slip(name), 10), Column(f"{label}（等级）", _slip_words(name), 12)]


def _outcome_at(item: ServiceRequest) -> datetime | None:
    """When the booth gave its outcome on site (the last one, if the request was reopened)."""
    times = [e.created_at for e in item.events if e.kind in (EventKind.resolved, EventKind.planned)]
    return times[-1] if times else None


def _transfers(item: ServiceRequest, codes: dict[int, str]) -> str:
    """Each transfer as from→to booth codes, in the order they happened: B07→F01；F01→B02"""
    return "；".join(f"{codes.get(e.from_booth_id, '')}→{codes.get(e.to_booth_id, '')}"
                    for e in item.events if e.kind is EventKind.transferred)


def _confirmed(item: ServiceRequest) -> str:
    if item.slip is None:
        return ""
    return "是" if item.slip.confirmed else "否"


def columns() -> list[Column]:
    """Every column, headed in Chinese (the city's spreadsheets are; called under force_locale)."""
    return [
        Column("需求编号", lambda r, _: r.ticket_no, 11),
        # unique across fairs (a ticket is not): a city that joins several fairs' sheets keeps them apart
        Column("大集需求编号", lambda r, _: r.qualified_no, 22),
        Column("状态", lambda r, _: str(r.shown_status_label), 12),  # 会后办理 for one handed over
        Column("牵头摊位号", lambda r, _: r.booth.code, 8),
        Column("牵头摊位", lambda r, _: r.booth.name, 24),
        Column("专区", lambda r, _: r.booth.zone.name, 18),
        Column("会商摊位", lambda r, _: "、".join(f"{b.code} {b.name}" for b in r.joint_booths), 24),
        Column("转办经过", _transfers, 16),
        Column("企业名称", lambda r, _: r.company_name, 30),
        Column("统一社会信用代码", lambda r, _: r.company.credit_code, 21),
        Column("联系人", lambda r, _: r.contact_name, 10),
        Column("手机号码", lambda r, _: r.contact_mobile, 13),
        Column("需求类别", lambda r, _: str(r.category.label), 12),
        Column("需求内容", lambda r, _: r.need, 40),
        Column("项目名称", lambda r, _: r.project_name, 20),
        Column("金额（万元）", lambda r, _: r.amount_wan, 12),
        Column("来源", lambda r, _: str(r.channel.label), 14),
        Column("提交时间", lambda r, _: r.created_at, 17),
        Column("办结/出方案时间", lambda r, _: _outcome_at(r), 17),
        Column("办理情况", lambda r, _: r.resolution, 30),
        Column("解决方案", lambda r, _: r.plan_text, 30),
        Column("责任单位", lambda r, _: r.plan_unit, 18),
        Column("责任人", lambda r, _: r.plan_person, 10),
        Column("完成时限", lambda r, _: r.plan_due, 12),
        Column("销号结果", lambda r, _: r.closeout_result, 24),
        Column("销号日期", lambda r, _: r.closed_out_on, 12),
        *(column for name, label in RATED.items() for column in _scored(name, str(label))),
        Column("企业确认办理结果", lambda r, _: _confirmed(r), 10),
        Column("企业意见", _slip("comment"), 30),
    ]


def _local(value: datetime) -> datetime:
    """A stored UTC time as the fair's wall-clock time, naive: Excel has no time zones."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _typed(value: Value) -> Value:
    """A value as the XLSX cell holds it: text made safe, times in the fair's zone, the rest as is."""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, datetime):
        return _local(value)
    return value


def _as_text(value: Value) -> str:
    """The same value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _requests(fair: Fair):
    return db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.fair_id == fair.id)
        .join(Booth, ServiceRequest.booth_id == Booth.id)
        .order_by(Booth.code, ServiceRequest.ticket_no)
        .options(so.joinedload(ServiceRequest.company), so.joinedload(ServiceRequest.booth).joinedload(Booth.zone),
                 so.joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.selectinload(ServiceRequest.joint_booths).joinedload(Booth.department),
                 so.selectinload(ServiceRequest.events), so.selectinload(ServiceRequest.slip))).unique()


def _table(fair: Fair) -> tuple[list[Column], list[list[Value]]]:
    # The headers are the city's (Chinese); the values must match them whatever the organiser's language.
    with force_locale("zh_CN"):
        cols = columns()
        codes = {booth.id: booth.code for booth in fair.booths}
        rows = [[_typed(column.value(item, codes)) for column in cols] for item in _requests(fair)]
    return cols, rows


def export_csv(fair: Fair) -> tuple[str, str, bytes]:
    cols, rows = _table(fair)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.header for column in cols])
    writer.writerows([_as_text(value) for value in row] for row in rows)
    # utf-8-sig: the BOM tells Excel the file is UTF-8; without it Excel reads Chinese as GBK.
    return f"requests-{fair.id}.csv", "text/csv; charset=utf-8", out.getvalue().encode("utf-8-sig")


def export_xlsx(fair: Fair) -> tuple[str, str, bytes]:
    cols, rows = _table(fair)
    book = Workbook()
    sheet = book.active
    sheet.title = "需求"
    sheet.append([column.header for column in cols])
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, column in enumerate(cols, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = column.width
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, datetime):
                cell.number_format = TIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DAY_FORMAT
            elif isinstance(cell.value, Decimal):
                cell.number_format = AMOUNT_FORMAT
    sheet.freeze_panes = "A2"  # the header stays in view while the city scrolls a thousand rows
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return (f"requests-{fair.id}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            out.getvalue())
