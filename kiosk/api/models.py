"""The keys other systems of the city read the API with."""
import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import enum_column


class ApiScope(enum.Enum):
    """What a token may read. Two levels are all the city's systems need: the statistics office and
    the open-data portal read figures; the office that follows requests up needs to know who asked."""
    #: fairs, tallies and requests without any personal data: no company, contact, phone, need text,
    #: responsible person or amount
    public = "public"
    #: the same with the personal data: for a system that follows requests up with the companies
    personal = "personal"

    @property
    def label(self):
        return {"public": _l("公开数据（不含企业名称、联系人、手机号、需求原文）"),
                "personal": _l("含个人信息（企业名称、联系人、手机号、需求原文）")}[self.value]

    @property
    def sees_personal_data(self) -> bool:
        return self is ApiScope.personal


class ApiToken(db.Model):
    """A bearer token for /api/v1. Only its SHA-256 is kept: the token itself is shown once, when it
    is issued, and a copy of the database gives nobody a working token."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: who uses it, e.g. 市大数据局数据共享平台
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    scope: so.Mapped[ApiScope] = enum_column(ApiScope, default=ApiScope.public)
    #: hex SHA-256 of the token: the token is 32 random bytes, so a fast hash is enough (nothing to
    #: guess at), and it can be looked up by index
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: the token's first characters, shown in the list so that an organiser can tell which one a
    #: system holds
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: when it last opened a request, to the nearest USE_NOTED_EVERY (a write per read would be waste)
    last_used_at: so.Mapped[datetime | None]
    #: revoked: refused from then on, kept for the record
    revoked_at: so.Mapped[datetime | None]
    revoked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    created_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[created_by_id])  # noqa: F821
    revoked_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[revoked_by_id])  # noqa: F821

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self):
        return f"<ApiToken {self.id} {self.prefix}… {self.scope.value}{' revoked' if self.is_revoked else ''}>"
