"""A fair's requests, every field, as CSV and XLSX for the city's own spreadsheets."""
import csv
import io

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale
from openpyxl import Workbook

from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.service_requests.models import ServiceRequest
from kiosk.timeutil import local_time

#: (column header, value of a request)
COLUMNS = [
    ("需求编号", lambda r: r.ticket_no),
    ("状态", lambda r: str(r.status.label)),
    ("牵头摊位号", lambda r: r.booth.code),
    ("牵头摊位", lambda r: r.booth.name),
    ("专区", lambda r: r.booth.zone.name),
    ("会商摊位", lambda r: "、".join(f"{b.code} {b.name}" for b in r.joint_booths)),
    ("企业名称", lambda r: r.company.name),
    ("统一社会信用代码", lambda r: r.company.credit_code),
    ("联系人", lambda r: r.contact_name),
    ("手机号码", lambda r: r.contact_mobile),
    ("需求类别", lambda r: str(r.category.label)),
    ("需求内容", lambda r: r.need),
    ("项目名称", lambda r: r.project_name or ""),
    ("金额（万元）", lambda r: "" if r.amount_wan is None else str(r.amount_wan)),
    ("来源", lambda r: "工作人员代登记" if r.channel.value == "walk_in" else "企业扫码"),
    ("提交时间", lambda r: local_time(r.created_at, "%Y-%m-%d %H:%M")),
    ("办理情况", lambda r: r.resolution or ""),
    ("解决方案", lambda r: r.plan_text or ""),
    ("责任单位", lambda r: r.plan_unit or ""),
    ("责任人", lambda r: r.plan_person or ""),
    ("完成时限", lambda r: r.plan_due.isoformat() if r.plan_due else ""),
    ("销号结果", lambda r: r.closeout_result or ""),
    ("销号日期", lambda r: r.closed_out_on.isoformat() if r.closed_out_on else ""),
    ("总体评价", lambda r: str(r.slip.overall) if r.slip else ""),
]


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not run: a cell starting = + - @ (or a tab/CR) is a formula to Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(fair: Fair):
    requests = db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.fair_id == fair.id).join(Booth, ServiceRequest.booth_id == Booth.id)
        .order_by(Booth.code, ServiceRequest.ticket_no)
        .options(so.joinedload(ServiceRequest.company), so.joinedload(ServiceRequest.booth).joinedload(Booth.zone),
                 so.joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.selectinload(ServiceRequest.joint_booths), so.selectinload(ServiceRequest.slip))).unique()
    yield [header for header, _ in COLUMNS]
    for item in requests:
        yield [safe_cell(value(item)) for _, value in COLUMNS]


def _rows_in_chinese(fair: Fair) -> list[list[str]]:
    # The headers are the city's (Chinese); the values must match them whatever the organiser's language.
    with force_locale("zh_CN"):
        return list(_rows(fair))


def export_csv(fair: Fair) -> tuple[str, str, bytes]:
    out = io.StringIO()
    csv.writer(out).writerows(_rows_in_chinese(fair))
    return f"requests-{fair.id}.csv", "text/csv; charset=utf-8", out.getvalue().encode("utf-8-sig")


def export_xlsx(fair: Fair) -> tuple[str, str, bytes]:
    book = Workbook()
    sheet = book.active
    sheet.title = "需求"
    for row in _rows_in_chinese(fair):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return (f"requests-{fair.id}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            out.getvalue())
