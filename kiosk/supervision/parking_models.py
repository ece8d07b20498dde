"""Parked items (挂账): a department asks to park a ledger item it cannot finish now, with a cause
from a fixed list, its explanation and a review day; an organiser approves or refuses. The Parking
row is the record (who asked, why, who decided); the request's own parked_until and park_cause are
the copies SQL counts by (kiosk.service_requests.after_fair), kept by the moves (kiosk.supervision
.parking) and by the listener below.

Parked on a day d means parked_until > d: on its review day the item is back by itself, as it was
(nothing runs at night). A parking that ends before its review day (an organiser resumes it, or
the department reports the item done) sets parked_until to the day it ended, so the copies always
say "the latest approved parking: its cause, and the day it stops counting".
"""
import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, fair_today, now_aware
from kiosk.fairs.models import enum_column
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import ServiceRequest, Status


class ParkingStatus(enum.Enum):
    #: 待审批: asked by the department, waiting for an organiser
    asked = "asked"
    #: 已批准: the item is parked until review_on (or until it ended early: ended_on)
    approved = "approved"
    #: 未获批准: refused, with the organiser's reason
    refused = "refused"

    @property
    def label(self):
        return PARKING_STATUS_LABELS[self]

    @property
    def is_pending(self) -> bool:
        return self is ParkingStatus.asked

    @property
    def is_approved(self) -> bool:
        return self is ParkingStatus.approved

    @property
    def is_refused(self) -> bool:
        return self is ParkingStatus.refused


PARKING_STATUS_LABELS = {
    ParkingStatus.asked: _l("待组织方审批"),
    ParkingStatus.approved: _l("已批准挂账"),
    ParkingStatus.refused: _l("未获批准"),
}


class Parking(db.Model):
    """One request to park an item, and its decision. Rows are never deleted: a refused ask and an
    ended parking stay on the item's record."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[ParkingStatus] = enum_column(ParkingStatus, default=ParkingStatus.asked)
    #: why it cannot be finished now: the common-bottleneck analysis groups by it
    cause: so.Mapped[ParkCause] = enum_column(ParkCause)
    #: the department's explanation: for organisers and the department, never shown to the company
    explanation: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the day the item is looked at again: it is back on the ledger's open items that day
    review_on: so.Mapped[date]
    asked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    asked_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: the organiser's reason for a refusal (required), or remark on an approval (optional)
    decision_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: an approved parking ended before its review day: the day (resumed by an organiser, or the
    #: item reported done); None while it runs or once it ran to its review day
    ended_on: so.Mapped[date | None]
    ended_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: why an organiser ended it early (None: it ended because the item was reported done)
    end_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    request: so.Mapped[ServiceRequest] = so.relationship(backref=so.backref(
        "parkings", order_by="Parking.id", cascade="all, delete-orphan", passive_deletes=True))
    asked_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[asked_by_id])  # noqa: F821
    decided_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[decided_by_id])  # noqa: F821
    ended_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[ended_by_id])  # noqa: F821

    __table_args__ = (
        # One ask waiting per item: two departments' staff asking at once, the second is refused
        # by the database, not only by the move's check.
        sa.Index("ix_parking_one_pending", "request_id", unique=True,
                 postgresql_where=sa.text("status = 'asked'"), sqlite_where=sa.text("status = 'asked'")),
    )

    @property
    def cause_label(self):
        return self.cause.label

    @property
    def until(self) -> date:
        """The day it stopped (or stops) counting: its review day, or the day it ended early."""
        return self.ended_on if self.ended_on is not None else self.review_on

    def running_on(self, day: date) -> bool:
        """Approved, and the item parked by it on that day."""
        return self.status.is_approved and self.until > day

    @property
    def ended_early(self) -> bool:
        return self.ended_on is not None

    @property
    def ended_by_report(self) -> bool:
        """Ended early because the department reported the item done (an organiser's resume names
        who and why)."""
        return self.ended_on is not None and self.ended_by_id is None

    def __repr__(self):
        return f"<Parking {self.id} request={self.request_id} {self.status.value} until {self.review_on}>"


@event.listens_for(so.Session, "before_flush")
def _end_parking_of_finished(session: so.Session, _context, _instances) -> None:
    """A parked item that leaves `planned` (the department reports it done: kiosk.ledger.moves
    .finish) is no longer parked: whichever move did it, the copies and the running parking end that
    day, so no figure counts a done item as parked (or, sent back later, parked again)."""
    today = None
    for item in list(session.dirty):
        if not isinstance(item, ServiceRequest) or item.parked_until is None or item.status is Status.planned:
            continue
        today = today or fair_today()
        if item.parked_until <= today:
            continue
        item.parked_until = today
        for parking in item.parkings:
            if parking.running_on(today):
                parking.ended_on = today  # (no one and no words: ended by the item's own report)
