"""An evidence file (佐证文件): a PDF, JPEG or PNG a department attached to an item when it finished
it (办结) or wrote a progress note. Kept in the database, bytes and all, so that every app server
behind nginx serves every file (no disk only one server can see); the bytes are read only when the
file itself is asked for. Rows are only ever added, beside the trail event they came with."""
import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, now_aware
from kiosk.fairs.models import enum_column


class FileType(enum.Enum):
    """What the bytes are (sniffed from them, never taken from the name), as its MIME type."""
    pdf = "application/pdf"
    jpeg = "image/jpeg"
    png = "image/png"

    @property
    def is_image(self) -> bool:
        return self is not FileType.pdf

    @property
    def label(self):
        return FILE_TYPE_LABELS[self]


FILE_TYPE_LABELS = {FileType.pdf: _l("PDF文件"), FileType.jpeg: _l("JPG图片"), FileType.png: _l("PNG图片")}


class EvidenceFile(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the item it shows the work on
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    #: the trail event it came with (办结 or 办理进展): the trail lists it there
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("request_event.id", ondelete="CASCADE"), index=True)
    #: the file's name as the uploader's device gave it, cleaned (no path, no control characters)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: what the bytes are, sniffed
    type: so.Mapped[FileType] = enum_column(FileType)
    #: in bytes
    size: so.Mapped[int]
    #: the bytes; deferred, so that a page listing the files never reads them
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    #: of the bytes, hex: a file is known again whoever names it how
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    #: random and unguessable: the file's URLs name it by this, never by its id
    token: so.Mapped[str] = so.mapped_column(sa.String(43), unique=True)

    event: so.Mapped["RequestEvent"] = so.relationship()  # noqa: F821
    uploaded_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    def __repr__(self):
        return f"<EvidenceFile {self.id} {self.type.name} {self.size} B on {self.request_id}>"
