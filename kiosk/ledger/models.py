"""What the demand ledger adds to a planned item after the fair: its deadline's extensions and the
company's verdict on its close-out. (The item's own states, done and closed out, are on
ServiceRequest; the moves that change them are kiosk.ledger.moves.)"""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.extensions import db
from kiosk.timeutil import AwareDateTime, now_aware


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
