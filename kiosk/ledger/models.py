"""What the demand ledger adds to a planned item after the fair: its deadline's extensions, the
company's verdict on its close-out, and the quarterly reconciliation rounds. (The item's own
states, done and closed out, are on
ServiceRequest; the moves that change them are kiosk.ledger.moves.)"""
import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, now_aware
from kiosk.fairs.models import enum_column


class Extension(db.Model):
    """A deadline moved, with the reason. Rows are only ever added; ServiceRequest.due_now is the
    latest one's new date, and on time is still judged against the original plan_due."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    #: the new due date
    new_due: so.Mapped[date]
    #: why: shown to the company on its tracking page, and counted
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the department's staff member or organiser who extended it
    by_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)

    request: so.Mapped["ServiceRequest"] = so.relationship(back_populates="extensions")  # noqa: F821
    by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    def __repr__(self):
        return f"<Extension {self.id} request={self.request_id} to {self.new_due}>"


class CloseOutVerdict(db.Model):
    """The company's word on a close-out (一事一评): it confirms the result, or disputes it, once.
    A dispute sends the item back to the department with these words.

    The rating is always given, on the 好差评 scale (5 非常满意 .. 1 非常不满意), whether the company
    confirms or disputes: a dispute is still a rating of the service (usually 不满意 or worse), so
    satisfaction counts every verdict the same way.
    """
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    #: True: the company confirms the result; False: it disputes it
    accepted: so.Mapped[bool]
    #: 1..5 on the 好差评 scale
    rating: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    #: what the company said; required for a dispute (the department reads it)
    words: so.Mapped[str | None] = so.mapped_column(sa.Text)
    at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)

    request: so.Mapped["ServiceRequest"] = so.relationship(back_populates="verdict")  # noqa: F821

    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    def __repr__(self):
        return f"<CloseOutVerdict {self.id} request={self.request_id} {'accepted' if self.accepted else 'disputed'}>"


class Mark(enum.Enum):
    """What a reconciliation round says of an item."""
    #: 销号: confirmed done at the meeting (or closed out since the quarter began)
    closed_out = "closed_out"
    #: given a new due date, with a reason
    extended = "extended"
    #: still being carried out
    open = "open"

    @property
    def label(self):
        return {"closed_out": _l("销号"), "extended": _l("延期"), "open": _l("仍在办理")}[self.value]


class ReconciliationRound(db.Model):
    """A quarter's reconciliation (对账销号): the organisers go through every item open at the
    quarter's start and mark each; closing the round freezes its figures, all or nothing."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    year: so.Mapped[int]
    #: 1..4
    quarter: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    #: the quarter's first day: the round lists the items open then
    starts_on: so.Mapped[date]
    opened_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    opened_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: when it was closed; a closed round changes no more
    closed_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    closed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: its figures and every row as they stood at the close (kiosk.ledger.rounds.freeze): items that
    #: move afterwards never change them, nor its PDF or XLSX
    frozen: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    #: the last change to the round or any of its marks (kiosk.changes writes it, so the version moves)
    updated_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    #: moved by every mark and by the close (kiosk.changes): two organisers marking at once see a
    #: conflict, and the round's page polls it
    version: so.Mapped[int] = so.mapped_column(default=1)

    items: so.Mapped[list["RoundItem"]] = so.relationship(
        back_populates="round", order_by="RoundItem.id", cascade="all, delete-orphan")
    opened_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[opened_by_id])  # noqa: F821
    closed_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[closed_by_id])  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("year", "quarter"),
                      sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"))
    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def __repr__(self):
        return f"<ReconciliationRound {self.id} {self.name}{' closed' if self.is_closed else ''}>"


class RoundItem(db.Model):
    """One item on a round's list, with the meeting's mark and note."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("reconciliation_round.id", ondelete="CASCADE"), index=True)
    request_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    #: None until marked
    mark: so.Mapped[Mark | None] = enum_column(Mark, nullable=True)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: the new due date an "extended" mark gave
    new_due: so.Mapped[date | None]
    marked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    marked_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)

    round: so.Mapped[ReconciliationRound] = so.relationship(back_populates="items")
    request: so.Mapped["ServiceRequest"] = so.relationship()  # noqa: F821
    marked_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("round_id", "request_id"),)

    def __repr__(self):
        return f"<RoundItem {self.id} round={self.round_id} request={self.request_id} {self.mark}>"
