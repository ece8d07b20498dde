"""Booths from a spreadsheet: a CSV or XLSX with one booth a row. Every bad row is reported with its
line and reason, and nothing is imported while any row is bad.

A sheet may be imported again once corrected: a row whose code the fair has updates that booth
(its department's name and kind, its zone); a new code adds a booth; booths the sheet leaves out stay
as they are. The organiser sees the plan first (plan_sheet) and applies it with a second request.

What a fair can take is organiser.fair_setup's to say, as for a booth typed in by hand; this module reads
sheets, names its columns and kinds, and reports rows of one sheet that clash with each other by
their lines.
"""
import csv
import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from openpyxl import Workbook, load_workbook

from kiosk.core.formtools import clean_text
from kiosk.core.refusals import filled
from kiosk.fairs.models import DepartmentKind, Fair
from kiosk.organiser.fair_setup import PlannedBooth, SetupRefused, SheetBooth, normalise_code, plan_row

#: the template's header, in the order of its columns
COLUMNS = ("摊位号", "部门或机构名称", "类型", "专区")
KINDS = {"部门": DepartmentKind.department, "银行": DepartmentKind.bank, "金融机构": DepartmentKind.bank}
EXAMPLE = [("B01", "泰安市自然资源和规划局", "部门", "要素保障部门专区"),
           ("F01", "中国工商银行泰安分行", "银行", "金融服务专区")]


#: how long a preview may be applied: long enough to read it, short enough that it is not applied
#: by a tab left open overnight
PREVIEW_MAX_AGE = 3600
#: a sheet's rows read past the header; a fair has a few dozen booths
MAX_ROWS = 1000
# What a sheet may hold before it is refused unread. Measured (bench/upload_bounds.py): a 4,980-byte
# XLSX declaring A1:XFD1048576 grew a worker to 2.65 GB when the declared dimension was trusted, and
# a 296 KB deflate bomb took 151 s; with these caps each is refused in milliseconds.
#: columns read from each row; the template has 4, a hand-made sheet a few notes beside them
MAX_COLUMNS = 20
#: characters in one cell; the longest column (a department's name) holds far fewer
MAX_CELL_CHARS = 500
#: bytes an XLSX may unpack to, all its members together; a 1,000-row booth sheet unpacks to ~300 KB
MAX_UNPACKED_BYTES = 2 * 1024 * 1024
#: how many times a member may unpack its stored size; spreadsheet XML packs ~10-30×, zeros ~1000×
MAX_PACK_RATIO = 200
#: seconds spent reading one sheet
MAX_READ_SECONDS = 5.0


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


class SheetRefused(ValueError):
    """A file refused as a whole, with the reason to show beside the upload field."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The sheet's rows as text, header included, at most MAX_ROWS past it and MAX_COLUMNS wide;
    raises SheetRefused for a file it cannot or will not read. Reads as it goes and stops at the
    caps, whatever size the file declares."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _bounded(_xlsx_rows(data))
    if name.endswith(".csv"):
        return _bounded(_csv_rows(data))
    raise SheetRefused(_l("只能导入 CSV 或 XLSX 文件"))


def _unreadable() -> SheetRefused:
    return SheetRefused(_l("无法读取这个文件，请用模板另存为 CSV 或 XLSX 后再试"))


#: how a zip (an XLSX) begins: the file is a workbook whatever its name says
_ZIP_MAGIC = b"PK\x03\x04"
#: what a cell may not hold: NUL (no text has one; PostgreSQL refuses it) and a lone surrogate half
#: (not a character: neither database nor the page's UTF-8 can carry it). A CSV with a NUL is
#: refused whole, and openpyxl refuses both in a sheet's XML today (the file is unreadable); checked
#: on every cell as well, whatever a reader may hand back one day.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _xlsx_rows(data: bytes) -> Iterator[Iterable]:
    _check_packing(data)
    try:
        sheet = load_workbook(_without_styles(data), read_only=True, data_only=True).active
        # The declared dimension (<dimension ref="A1:XFD1048576">) is the sender's word: openpyxl pads
        # every row out to it. Forgotten, rows are as long as their cells and end where the data ends.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)  # each row cut to MAX_COLUMNS by _bounded
    except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged file
        raise _unreadable() from error


def _check_packing(data: bytes) -> None:
    """Refuses a zip that would unpack too large, by its members' declared sizes, before any is
    unpacked (zipfile never yields more than a member declares)."""
    if not data.startswith(_ZIP_MAGIC):
        raise SheetRefused(_l("这个文件不是 XLSX 工作簿（可能是旧版 Excel 的 .xls，或改了文件名的其他文件）：请在 Excel 中另存为 XLSX 或 CSV 后再试"))  # noqa: E501
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception as error:  # BadZipFile, and NotImplementedError for a version it does not know
        raise _unreadable() from error
    total = sum(member.file_size for member in members)
    packed = max((member.file_size / max(member.compress_size, 1) for member in members), default=0)
    if total > MAX_UNPACKED_BYTES or packed > MAX_PACK_RATIO:
        raise SheetRefused(_l("这个文件解压后过大（上限%(mb)d MB），不像摊位表，请用模板重新填写",
                              mb=MAX_UNPACKED_BYTES // (1024 * 1024)))


def _without_styles(data: bytes) -> io.BytesIO:
    """The workbook without its stylesheet, which openpyxl otherwise parses whole before the first
    row: 1.6 MB of varied <xf> entries took 2.5 s (measured). A booth sheet is text, and its values
    are read without their styles."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for member in source.infolist():
            if member.filename != "xl/styles.xml":
                target.writestr(member.filename, source.read(member))
    out.seek(0)
    return out


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith(_ZIP_MAGIC):
        raise SheetRefused(_l("这个文件其实是 XLSX 工作簿，只是文件名以 .csv 结尾：请把文件名改为以 .xlsx 结尾，或在 Excel 中另存为 CSV 后再试"))  # noqa: E501
    if b"\x00" in data:
        # Neither UTF-8 nor GB18030 has a NUL byte in any character: a file with one is another
        # format under a .csv name (an old .xls, UTF-16 "Unicode text"), or damaged.
        raise SheetRefused(_l("这个文件含有空字符（NUL），不是 CSV 文本（可能是改了文件名的其他格式，或“Unicode 文本”）：请用模板另存为 CSV（UTF-8）或 XLSX 后再试"))  # noqa: E501
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetRefused(
            _l("这个文件的文字编码无法识别（既不是 UTF-8，也不是 GBK）：请用模板另存为 CSV（UTF-8）或 XLSX 后再试"))
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:
        raise _unreadable() from error


def _bounded(rows: Iterator[Iterable]) -> list[list[str]]:
    deadline = time.monotonic() + MAX_READ_SECONDS
    read = []
    for row in islice(rows, MAX_ROWS + 2):
        if time.monotonic() > deadline:
            raise SheetRefused(_l("读取这个文件用时过长，请用模板重新填写"))
        raw = ["" if value is None else str(value) for value in islice(row, MAX_COLUMNS)]
        if any(_NOT_TEXT.search(cell) for cell in raw):
            raise SheetRefused(_l("第%(line)d行有单元格含有空字符（NUL）或无法识别的字符，请删去后再试",
                                  line=len(read) + 1))
        cells = [_cell(value) for value in raw]
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise SheetRefused(_l("第%(line)d行有单元格超过%(n)d个字，不像摊位表，请检查",
                                  line=len(read) + 1, n=MAX_CELL_CHARS))
        read.append(cells)
    if len(read) > MAX_ROWS + 1:
        raise SheetRefused(_l("表太长：最多%(n)d行摊位", n=MAX_ROWS))
    return read


def _cell(value: str) -> str:
    """A cell as one line of text, as any form's field is kept (formtools.clean_text): NFC, no
    control characters (a stray ESC, a vertical tab from a pasted cell) nor invisible ones (a
    zero-width space pasted from a web page), trimmed."""
    return clean_text(value)


def check_rows(fair: Fair, rows: list[list[str]]) -> tuple[list[PlannedBooth], list[RowError]]:
    """What each of the sheet's rows would do to the fair, and a reason for each bad row (the first
    rule it breaks). Reads only."""
    if not rows or [c.strip() for c in rows[0][:4]] != list(COLUMNS):
        return [], [RowError(1, _l("第一行须为表头：%(columns)s", columns="、".join(COLUMNS)))]
    plan, errors, seen_codes, seen_departments = [], [], {}, {}
    for line, cells in enumerate(rows[1:], start=2):
        cells = (cells + [""] * 4)[:4]
        if not any(cells):
            continue  # blank lines between blocks are common in hand-made sheets
        code, department, kind, zone = normalise_code(cells[0]), cells[1], cells[2], cells[3]
        reason = None
        if not code or not department or not kind or not zone:
            reason = _l("四列都必须填写")
        elif kind not in KINDS:
            reason = filled(_l("类型“%(kind)s”不对，应为“部门”或“银行”"), kind=kind)
        elif code in seen_codes:
            reason = filled(_l("摊位号 %(code)s 与第%(line)d行重复"), code=code, line=seen_codes[code])
        elif department in seen_departments:
            reason = filled(_l("“%(name)s”与第%(line)d行重复"), name=department, line=seen_departments[department])
        elif isinstance(planned := plan_row(fair, SheetBooth(line, code, department, KINDS[kind], zone)),
                        SetupRefused):
            reason = planned.message
        if reason:
            errors.append(RowError(line, reason))
            continue
        seen_codes[code], seen_departments[department] = line, line
        plan.append(planned)
    if not plan and not errors:
        errors.append(RowError(2, _l("表中没有摊位")))
    return plan, errors


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="booth-sheet-preview")


def sealed_plan(fair: Fair, plan: list[PlannedBooth]) -> str:
    """The previewed rows, signed, for the preview's Apply button, with the fair's set-up version
    they were planned against: applied only if the set-up still stands as previewed."""
    rows = [[p.row.line, p.row.code, p.row.department, p.row.kind.value, p.row.zone] for p in plan]
    return _serializer().dumps({"fair": fair.id, "version": fair.setup_version, "rows": rows})


def opened_plan(fair: Fair, sealed: str) -> list[SheetBooth] | str:
    """The rows a preview sealed, or why they cannot be applied: "bad" (not ours, another fair's, or
    too old) or "stale" (the set-up changed since the preview)."""
    try:
        data = _serializer().loads(sealed or "", max_age=PREVIEW_MAX_AGE)
    except BadSignature:  # (an expired signature is one too)
        return "bad"
    if data.get("fair") != fair.id:
        return "bad"
    if data.get("version") != fair.setup_version:
        return "stale"
    return [SheetBooth(line, code, department, DepartmentKind(kind), zone)
            for line, code, department, kind, zone in data["rows"]]


def replan(fair: Fair, rows: list[SheetBooth]) -> tuple[list[PlannedBooth], list[RowError]]:
    """The sealed rows planned again, as at the preview (the set-up has not moved since), so that the
    changes applied are the ones shown. Any error here is one that arose elsewhere meanwhile (a
    department of that name made at another fair)."""
    plan, errors = [], []
    for row in rows:
        planned = plan_row(fair, row)
        if isinstance(planned, SetupRefused):
            errors.append(RowError(row.line, planned.message))
        else:
            plan.append(planned)
    return plan, errors
