"""Supervision's records: the colours an open item can have (derived: kiosk.supervision.colours),
and supervision notices (督办单) to departments with the department's reply on each item."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, fair_today, now_aware
from kiosk.fairs.models import Department, enum_column


class Colour(enum.Enum):
    """An open ledger item's colour on a day (kiosk.supervision.colours derives it), most severe
    first; `parked` (挂账) shows instead of a colour."""
    red = "red"
    yellow = "yellow"
    blue = "blue"
    normal = "normal"
    parked = "parked"

    @property
    def label(self):
        """The word shown with the colour, never the colour alone (colour-blind readers, print)."""
        return COLOUR_LABELS[self]

    @property
    def colour_name(self):
        """红色, 黄色, 蓝色; empty for normal and parked, which have no colour."""
        return COLOUR_NAMES.get(self, "")

    @property
    def is_colour(self) -> bool:
        return self in COLOUR_NAMES

    @property
    def flagged(self) -> bool:
        """Anything but normal: a list shows its word."""
        return self is not Colour.normal

    @property
    def is_parked(self) -> bool:
        return self is Colour.parked

    @property
    def wants_supervision(self) -> bool:
        """Red or yellow: what a supervision notice (督办单) is for."""
        return self in (Colour.red, Colour.yellow)


COLOUR_LABELS = {Colour.red: _l("逾期"), Colour.yellow: _l("滞后"), Colour.blue: _l("临期"),
                 Colour.normal: _l("正常"), Colour.parked: _l("挂账")}
COLOUR_NAMES = {Colour.red: _l("红色"), Colour.yellow: _l("黄色"), Colour.blue: _l("蓝色")}


class Behind(enum.Enum):
    """Why an item is behind (yellow)."""
    extension_pending = "extension_pending"
    quiet = "quiet"
    unacknowledged = "unacknowledged"


#: the reasons' short words in a list's row (the settings' numbers are in the colours' definitions)
BEHIND_WORDS = {Behind.extension_pending: _l("延期待批"), Behind.quiet: _l("久无进展"),
                Behind.unacknowledged: _l("未签收")}


class SupervisionNotice(db.Model):
    """督办单: an organiser's notice to one department about some of its open items, numbered per
    year (督办〔2026〕3号), with a date to reply by. Its state (replied, partly, overdue) is derived
    from its items' replies and the day."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the year of its number: the year it was issued in, where the fair is
    year: so.Mapped[int]
    #: its number within the year, from 1
    seq: so.Mapped[int]
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("department.id"), index=True)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    issued_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    #: the day it was issued, where the fair is (its date on paper)
    issued_on: so.Mapped[date]
    #: the department replies on every item by this day; unreplied after it, the notice is overdue
    reply_by: so.Mapped[date]
    #: the organisers' words (督办意见)
    text: so.Mapped[str] = so.mapped_column(sa.Text)

    department: so.Mapped[Department] = so.relationship()
    issued_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821
    items: so.Mapped[list["SupervisionNoticeItem"]] = so.relationship(
        back_populates="notice", order_by="SupervisionNoticeItem.id", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("year", "seq"),)

    @property
    def official_number(self) -> str:
        """The document's number as printed (督办〔2026〕3号), in every language: the trail and the
        PDF quote it."""
        return f"督办〔{self.year}〕{self.seq}号"

    @property
    def number(self) -> str:
        """The number in the page's language."""
        return str(_l("督办〔%(year)d〕%(seq)d号", year=self.year, seq=self.seq))

    @property
    def replied_count(self) -> int:
        return sum(1 for entry in self.items if entry.is_replied)

    @property
    def fully_replied(self) -> bool:
        return all(entry.is_replied for entry in self.items)

    def overdue_on(self, day: date) -> bool:
        """Not replied on every item, and past its reply-by date: the notice turns red itself."""
        return not self.fully_replied and self.reply_by < day

    @property
    def is_overdue(self) -> bool:
        return self.overdue_on(fair_today())

    @property
    def state(self) -> "NoticeState":
        if self.fully_replied:
            return NoticeState.replied
        if self.is_overdue:
            return NoticeState.overdue
        return NoticeState.partly if self.replied_count else NoticeState.waiting

    def __repr__(self):
        return f"<SupervisionNotice {self.id} {self.year}-{self.seq} department={self.department_id}>"


class NoticeState(enum.Enum):
    """A notice's state, derived (SupervisionNotice.state)."""
    waiting = "waiting"
    partly = "partly"
    overdue = "overdue"
    replied = "replied"

    @property
    def label(self):
        return {NoticeState.waiting: _l("待回复"), NoticeState.partly: _l("部分回复"),
                NoticeState.overdue: _l("逾期未回复"), NoticeState.replied: _l("已全部回复")}[self]

    @property
    def is_overdue(self) -> bool:
        return self is NoticeState.overdue

    @property
    def is_done(self) -> bool:
        return self is NoticeState.replied


class SupervisionNoticeItem(db.Model):
    """One item on a notice: what it was when the notice went out (a document keeps what it said),
    and the department's reply."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    notice_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("supervision_notice.id", ondelete="CASCADE"), index=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    #: its colour when the notice was issued
    colour: so.Mapped[Colour] = enum_column(Colour)
    #: why it was behind then (Behind values, comma-separated; empty when it was not)
    behind: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: its current due date when the notice was issued
    due_then: so.Mapped[date | None]
    #: 回复督办: the department's reply
    reply: so.Mapped[str | None] = so.mapped_column(sa.Text)
    replied_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    replied_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: moved by every change: two people replying at once see a conflict, not an overwrite
    version: so.Mapped[int] = so.mapped_column(default=1)

    notice: so.Mapped[SupervisionNotice] = so.relationship(back_populates="items")
    request: so.Mapped["ServiceRequest"] = so.relationship()  # noqa: F821
    replied_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("notice_id", "request_id"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_replied(self) -> bool:
        return self.replied_at is not None

    @property
    def reasons(self) -> tuple[Behind, ...]:
        return tuple(Behind(code) for code in self.behind.split(",") if code)

    def __repr__(self):
        return f"<SupervisionNoticeItem {self.id} notice={self.notice_id} request={self.request_id}>"
