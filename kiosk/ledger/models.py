"""What the demand ledger adds to a planned item after the fair: its deadline's extensions (asked for
by the department, decided by an organiser), the company's verdict on its close-out, and the
quarterly reconciliation rounds. (The item's own states, done and closed out, are on
ServiceRequest; the moves that change them are kiosk.ledger.moves.)"""
import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, now_aware
from kiosk.fairs.models import enum_column


class ExtensionStatus(enum.Enum):
    """Where an extension stands (延期申请): a department asks, an organiser decides."""
    #: asked for, waiting for an organiser: the due date has not moved
    pending = "pending"
    #: approved (or made by an organiser): the due date moved to new_due
    approved = "approved"
    #: refused with the organiser's reason: the due date did not move
    refused = "refused"

    @property
    def label(self):
        return EXTENSION_STATUS_LABELS[self]

    @property
    def is_pending(self) -> bool:
        return self is ExtensionStatus.pending

    @property
    def is_approved(self) -> bool:
        return self is ExtensionStatus.approved

    @property
    def is_refused(self) -> bool:
        return self is ExtensionStatus.refused


EXTENSION_STATUS_LABELS = {
    ExtensionStatus.pending: _l("待审批"),
    ExtensionStatus.approved: _l("已批准"),
    ExtensionStatus.refused: _l("未批准"),
}


class Extension(db.Model):
    """A later due date, asked for and decided: a department asks (pending), an organiser approves
    it, which moves the due date, or refuses it with a reason; an organiser's own extension (on the
    item's page, or a reconciliation round's mark) is approved as it is made. Rows are only ever
    added, and a decision is final. ServiceRequest.due_now is the latest APPROVED one's new date; on
    time is still judged against the original plan_due."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    #: the new due date (asked for, or given)
    new_due: so.Mapped[date]
    #: why: shown to the company on its tracking page once approved, and counted
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    #: a row written without one is an extension made, as every one was before departments asked
    #: (migration 0029 marks those approved)
    status: so.Mapped[ExtensionStatus] = enum_column(ExtensionStatus, default=ExtensionStatus.approved,
                                                     server_default=ExtensionStatus.approved.value)
    #: the department's staff member who asked, or the organiser who extended it directly
    by_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: when it was asked for (an organiser's own: when it was made)
    at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    #: the organiser who approved or refused it, and when; None while pending
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: why it was refused: the department reads it on the item's page (the company never does)
    refusal_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    request: so.Mapped["ServiceRequest"] = so.relationship(back_populates="extension_requests")  # noqa: F821
    by: so.Mapped["User | None"] = so.relationship(foreign_keys=[by_user_id])  # noqa: F821
    decided_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[decided_by_id])  # noqa: F821

    __table_args__ = (
        # One request waiting per item: two asks at once cannot both stand (the item's version
        # already makes the second a conflict; this holds whatever writes the rows). The organisers'
        # count of requests waiting reads it too.
        sa.Index("uq_extension_pending", "request_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    @property
    def ordinal(self) -> int | None:
        """Which extension of its item this is (1, 2, ...): an approved one's place among the
        approved; a pending one's if it were approved now; None for a refused one."""
        if self.status.is_refused:
            return None
        approved = self.request.extensions
        return approved.index(self) + 1 if self.status.is_approved else len(approved) + 1

    @property
    def was_requested(self) -> bool:
        """Asked for by a department and decided apart (or not yet): not an organiser's own
        extension, which is decided as it is made."""
        return self.decided_at is None or self.decided_at != self.at

    @property
    def is_repeat(self) -> bool:
        """A second or later extension of one item: flagged wherever it is shown (supervision asks
        more of a second one)."""
        return (self.ordinal or 0) >= 2

    def __repr__(self):
        return f"<Extension {self.id} request={self.request_id} to {self.new_due} {self.status.value}>"


def pending_extension_sql():
    """The SQL condition for a request still waiting, its state written into the statement so that
    both databases see it implies uq_extension_pending's condition and count on that index."""
    return Extension.status == sa.bindparam("pending_extension", ExtensionStatus.pending,
                                            type_=Extension.status.type, literal_execute=True)


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
    #: its figures and every row as they stood at the close (kiosk.ledger.round_figures.freeze): items that
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
