"""The satisfaction slip (满意度测评表): one per request."""
import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import enum_column

#: the national 好差评 wording, 5 = best
RATING_LABELS = {
    5: _l("非常满意"),
    4: _l("满意"),
    3: _l("基本满意"),
    2: _l("不满意"),
    1: _l("非常不满意"),
}

#: the five dimensions, in the order of the paper form
DIMENSIONS = {
    "professionalism": _l("业务水平"),
    "attitude": _l("服务态度"),
    "efficiency": _l("工作效率"),
    "problem_solving": _l("代办手续及解决问题"),
    "integrity": _l("廉洁自律"),
}

#: every rating on a slip, with its label: the five dimensions and the overall rating
RATED = {**DIMENSIONS, "overall": _l("总体评价")}


class SlipChannel(enum.Enum):
    #: the company, on its tracking page
    phone = "phone"
    #: the booth's tablet handed to the company in slip mode
    tablet = "tablet"
    #: a paper slip typed in by an organiser (never by the rated booth)
    paper = "paper"

    @property
    def label(self):
        return {"phone": _l("企业手机评价"), "tablet": _l("摊位平板评价"), "paper": _l("纸质测评表")}[self.value]



class SatisfactionSlip(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), unique=True)
    channel: so.Mapped[SlipChannel] = enum_column(SlipChannel)
    #: "resolved as recorded?" / "is the plan clear and agreed?"
    confirmed: so.Mapped[bool]
    professionalism: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    attitude: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    efficiency: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    problem_solving: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    integrity: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    overall: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    comment: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    #: the number printed on a paper slip, so the typed-in slip can be matched with the paper one
    paper_number: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    #: who typed in a paper slip
    entered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: an overall 不满意 or worse, or a "no", asks for a follow-up call (差评回访)
    needs_followup: so.Mapped[bool] = so.mapped_column(default=False)
    #: when an organiser closed the flag; open flags stay on the dashboard
    followup_closed_at: so.Mapped[datetime | None]
    followup_closed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    request: so.Mapped["ServiceRequest"] = so.relationship()  # noqa: F821
    entered_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[entered_by_id])  # noqa: F821
    calls: so.Mapped[list["FollowUpCall"]] = so.relationship(
        back_populates="slip", order_by="FollowUpCall.called_at", cascade="all, delete-orphan")

    __table_args__ = tuple(
        sa.CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_range")
        for name in (*DIMENSIONS, "overall"))

    @property
    def flag_open(self) -> bool:
        return self.needs_followup and self.followup_closed_at is None

    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in (*DIMENSIONS, "overall")}

    def __repr__(self):
        return f"<SatisfactionSlip {self.id} request={self.request_id} overall={self.overall}>"


class FollowUpCall(db.Model):
    """A follow-up call (差评回访) an organiser made about a flagged slip."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slip_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("satisfaction_slip.id", ondelete="CASCADE"), index=True)
    #: when the call was made, in the fair's local time as the organiser entered it (often afterwards)
    called_at: so.Mapped[datetime]
    #: the organiser who recorded it
    caller_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    #: the person at the company who was spoken to
    spoke_with: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: what the company said
    said: so.Mapped[str] = so.mapped_column(sa.Text)
    #: what was done about it
    fixed: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    slip: so.Mapped[SatisfactionSlip] = so.relationship(back_populates="calls")
    caller: so.Mapped["User"] = so.relationship()  # noqa: F821

    def __repr__(self):
        return f"<FollowUpCall {self.id} slip={self.slip_id}>"
