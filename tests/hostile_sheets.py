"""Hostile booth sheets, small to send and costly to read, for the upload bound tests and
bench/upload_bounds.py."""
import io
import re
import zipfile

from tests.helpers import HEADER, sheet


def declared_huge() -> bytes:
    """A few kilobytes of XLSX whose sheet declares A1:XFD1048576: trusted, that is 17 billion cells."""
    data, _ = sheet([HEADER, ["B30", "某市统计局", "部门", "要素保障部门专区"]], "xlsx")
    source = zipfile.ZipFile(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', body)
                assert b"XFD1048576" in body
            target.writestr(member.filename, body)
    return out.getvalue()


def deflate_bomb(megabytes: int = 200) -> bytes:
    """An XLSX whose sheet is `megabytes` MB of zeros, packed to a few hundred kilobytes."""
    data, _ = sheet([HEADER], "xlsx")
    source = zipfile.ZipFile(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                with target.open(member.filename, "w", force_zip64=True) as body:
                    zeros = b"\0" * (1024 * 1024)
                    for _ in range(megabytes):
                        body.write(zeros)
            else:
                target.writestr(member.filename, source.read(member))
    return out.getvalue()


def long_csv(rows: int = 100_000) -> bytes:
    """A CSV of `rows` one-cell rows past the header (small enough that the test client keeps it in memory)."""
    return ("\n".join([",".join(HEADER)] + ["B"] * rows) + "\n").encode("utf-8")


def heavy_styles(megabytes: float = 1.6) -> bytes:
    """An XLSX within the unpacked cap whose stylesheet is `megabytes` MB of varied cell formats:
    parsed, 2.5 s of work for a one-row sheet."""
    data, _ = sheet([HEADER, ["B30", "某市统计局", "部门", "要素保障部门专区"]], "xlsx")
    source = zipfile.ZipFile(data)
    formats = [b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0"/>' % (n * 7919 % 1000003)
               for n in range(int(megabytes * 1024 * 1024 / 64))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "xl/styles.xml":
                body = re.sub(rb'<cellXfs count="\d+">.*?</cellXfs>', lambda _: b'<cellXfs count="%d">%s</cellXfs>' % (
                    len(formats), b"".join(formats)), body, flags=re.S)
                assert len(body) > megabytes * 1000 * 1000
            target.writestr(member.filename, body)
    return out.getvalue()
