"""Evidence files on a finished item or a progress note: which files are taken, and keeping them.

A department attaches up to MAX_FILES files, PDF, JPEG or PNG, each at most MAX_FILE_BYTES. What a
file is comes from its first bytes (its magic number), never from its name or the browser's word
for it; an image must also open and decode (Pillow), so a photo cut short or a renamed file is
refused beside the field before anything is written. The body of such a post may be larger than
any other's: BODY_LIMIT, raised for those two steps alone (body_limit, kiosk.core.bodylimits), nginx
the same (deploy/nginx/kiosk.conf).

Memory stays bounded: Werkzeug spools each uploaded file to disk past 500 KB; checking reads its
first bytes, and decodes an image (a JPEG at an eighth of its size), from the disk; keeping
reads its bytes once, hashes them, writes the row and lets the bytes go before the next file
(bench/upload_bounds.py: a 5 × 10 MB post).
"""
import hashlib
import os
import secrets
import warnings
from dataclasses import dataclass
from typing import IO

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from PIL import Image

from kiosk.core.extensions import db
from kiosk.core.formtools import clean_text
from kiosk.core.refusals import Refused
from kiosk.ledger.evidence_models import EvidenceFile, FileType
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
#: the largest body the two steps that take files accept: every file at its largest, and 1 MB for
#: the form's fields and the multipart framing (nginx's client_max_body_size for them: 51m)
BODY_LIMIT = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
#: the steps on an item's page that take files (kiosk.ledger.views)
STEPS_WITH_FILES = ("finish", "progress")
#: an image larger than this is refused rather than decoded (a 50-megapixel phone photo passes)
MAX_PIXELS = 60_000_000
#: a PNG up to this size is decoded whole (64 MB as RGBA); a larger one has its structure checked
DECODE_PNG_PIXELS = 16_000_000

MAGIC = ((b"%PDF-", FileType.pdf), (b"\xff\xd8\xff", FileType.jpeg), (b"\x89PNG\r\n\x1a\n", FileType.png))

MESSAGES = {
    "too_many": _l("最多上传%(max)d个文件，您选择了%(count)d个。"),
    "too_big": _l("“%(name)s”超过%(mb)dMB，请压缩或拆分后再上传。"),
    "empty": _l("“%(name)s”是空文件。"),
    "wrong_type": _l("“%(name)s”不是PDF、JPG或PNG文件（按文件内容判断，与文件名无关）。"),
    "not_an_image": _l("“%(name)s”无法作为图片打开，可能已损坏或不完整。"),
    "too_many_pixels": _l("“%(name)s”的图片尺寸过大，请缩小后再上传。"),
    "body_too_large": _l("上传的文件合计过大：最多%(max)d个文件，每个不超过%(mb)dMB。"),
}


class EvidenceRefused(Refused):
    MESSAGES = MESSAGES


@dataclass(frozen=True)
class Checked:
    """A file that passed: what it is, and its stream (spooled to disk by Werkzeug), read when kept."""
    name: str
    type: FileType
    size: int
    stream: IO[bytes]


def body_limit(view_args: dict) -> int | None:
    """The body an item's step may send: larger for the steps that take files (kiosk.core.bodylimits)."""
    return BODY_LIMIT if view_args.get("step") in STEPS_WITH_FILES else None


def chosen(files) -> list:
    """The files actually chosen: a file input left empty still sends a part without a name."""
    return [f for f in files or () if f is not None and getattr(f, "filename", None)]


def check(files) -> list[Checked]:
    """Every file chosen, checked; the first one refused raises, naming it."""
    files = chosen(files)
    if len(files) > MAX_FILES:
        raise EvidenceRefused("too_many", max=MAX_FILES, count=len(files))
    return [check_one(clean_name(f.filename), f.stream) for f in files]


def check_one(name: str, stream: IO[bytes]) -> Checked:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise EvidenceRefused("empty", name=name)
    if size > MAX_FILE_BYTES:
        raise EvidenceRefused("too_big", name=name, mb=MAX_FILE_BYTES // 2**20)
    kind = sniff(stream.read(16))
    stream.seek(0)
    if kind is None:
        raise EvidenceRefused("wrong_type", name=name)
    if kind.is_image:
        _decode(name, kind, stream)
        stream.seek(0)
    return Checked(name, kind, size, stream)


def sniff(head: bytes) -> FileType | None:
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def _decode(name: str, kind: FileType, stream: IO[bytes]) -> None:
    """The image opens as what its bytes said and decodes. WeasyPrint lets Pillow load a truncated
    image (ImageFile.LOAD_TRUNCATED_IMAGES, for the whole process), so a file cut short is found by
    its structure: a PNG's chunks and their checksums up to its end (verify), a JPEG's end marker
    after its last scan. Then the pixels: a JPEG at an eighth of its size (the decoder's draft mode:
    every block read, little memory), a PNG whole up to DECODE_PNG_PIXELS."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[kind.name.upper()]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise EvidenceRefused("too_many_pixels", name=name)
                if kind is FileType.png:
                    image.verify()
                elif not _ends_after_its_last_scan(stream):
                    raise EvidenceRefused("not_an_image", name=name)
            stream.seek(0)
            with Image.open(stream, formats=[kind.name.upper()]) as image:
                if kind is FileType.jpeg:
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
                elif width * height <= DECODE_PNG_PIXELS:
                    image.load()
    except EvidenceRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise EvidenceRefused("too_many_pixels", name=name) from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...) for bad bytes
        raise EvidenceRefused("not_an_image", name=name) from None


def _ends_after_its_last_scan(stream: IO[bytes], chunk: int = 1024 * 1024) -> bool:
    """A JPEG's end-of-image marker (FF D9) comes after its last start-of-scan (FF DA): within a scan
    an FF byte is always followed by 00, so a file cut inside its last scan has no end after it (an
    end marker found earlier belongs to the thumbnail in its EXIF). Read from disk a chunk at a time."""
    stream.seek(0)
    last_scan = last_end = -1
    offset, carry = 0, b""
    while block := stream.read(chunk):
        data = carry + block
        base = offset - len(carry)
        if (at := data.rfind(b"\xff\xda")) >= 0:
            last_scan = max(last_scan, base + at)
        if (at := data.rfind(b"\xff\xd9")) >= 0:
            last_end = max(last_end, base + at)
        offset += len(block)
        carry = block[-1:]
    stream.seek(0)
    return last_end > last_scan >= 0


def clean_name(filename: str) -> str:
    """The name as shown: the last part of any path, without control or invisible characters, at
    most 200 characters (keeping its extension)."""
    name = clean_text(filename.replace("\\", "/").rsplit("/", 1)[-1]) or "file"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 199 - len(extension)] + dot + extension) if dot and len(extension) <= 10 else name[:200]
    return name


def keep(item: ServiceRequest, event: RequestEvent, files: list[Checked], actor) -> list[EvidenceFile]:
    """The files, written beside their event: each read once, hashed and flushed, its bytes then let
    go (expired from the session), so that a post of five holds one file's bytes at a time."""
    kept = []
    for checked in files:
        checked.stream.seek(0)
        data = checked.stream.read()
        row = EvidenceFile(request_id=item.id, event=event, name=checked.name, type=checked.type,
                           size=len(data), data=data, sha256=hashlib.sha256(data).hexdigest(),
                           uploaded_by_id=actor.id if actor is not None else None, token=secrets.token_urlsafe(32))
        db.session.add(row)
        db.session.flush()
        db.session.expire(row, ["data"])
        del data
        kept.append(row)
    return kept


def files_of(item: ServiceRequest) -> list[EvidenceFile]:
    """An item's files, oldest first, with their events and without their bytes. Only an item on the
    ledger has any (finish and progress start there), so any other costs no query: the tracking
    page is also the answer to every submission of a fair's opening burst (ARCHITECTURE.md)."""
    if item.id is None or not item.status.has_plan:
        return []
    return list(db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.request_id == item.id)
                                   .options(so.joinedload(EvidenceFile.event)).order_by(EvidenceFile.id)))


@dataclass(frozen=True)
class Shown:
    """What a page shows of an item's files: all of them, and each event's."""
    files: list[EvidenceFile]

    def of_event(self, event: RequestEvent) -> list[EvidenceFile]:
        return [f for f in self.files if f.event_id == event.id]

    @property
    def of_result(self) -> list[EvidenceFile]:
        """The files of the latest 办结 (an item sent back and finished again shows its new result)."""
        done = [f for f in self.files if f.event.kind is EventKind.done]
        return [f for f in done if f.event_id == done[-1].event_id] if done else []


def shown(item: ServiceRequest) -> Shown:
    return Shown(files_of(item))


def file_of(item: ServiceRequest, token: str) -> EvidenceFile | None:
    """One of the item's files by its token, bytes and all; None for any other token."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(EvidenceFile).where(EvidenceFile.request_id == item.id,
                                                           EvidenceFile.token == token)
                             .options(so.undefer(EvidenceFile.data)))
