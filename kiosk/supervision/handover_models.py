"""A fair's handover lists (交办清单): one per department, numbered when it is first printed, with
the items it handed over. The receipt (签收) is the item's own acknowledged_at (kiosk.service_requests
.after_fair) and its trail; the rules are in kiosk.supervision.handover."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime


def list_number(year: int, seq: int) -> str:
    """A list's number as printed: a document number (文号), the same in every language."""
    return f"交办〔{year}〕{seq}号"


class HandoverList(db.Model):
    """A department's list of one fair's items, made the first time an organiser prints it: its
    number is what the paper, the trail and the department's receipt name."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fair_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("fair.id", ondelete="CASCADE"), index=True)
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("department.id"), index=True)
    #: the year of the first print and the list's place in that year: 交办〔2026〕12号, as the
    #: city numbers its documents (文号)
    year: so.Mapped[int]
    seq: so.Mapped[int]
    first_printed_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime)
    first_printed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    last_printed_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime)
    #: how many times it was printed (a lost page, a second copy for the meeting)
    prints: so.Mapped[int] = so.mapped_column(default=1)

    fair: so.Mapped["Fair"] = so.relationship()  # noqa: F821
    department: so.Mapped["Department"] = so.relationship()  # noqa: F821
    first_printed_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821
    entries: so.Mapped[list["HandoverEntry"]] = so.relationship(back_populates="list", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("fair_id", "department_id"), sa.UniqueConstraint("year", "seq"))

    @property
    def number(self) -> str:
        return list_number(self.year, self.seq)

    def __repr__(self):
        return f"<HandoverList {self.id} {self.number} fair={self.fair_id} department={self.department_id}>"


class HandoverEntry(db.Model):
    """An item as handed over on a list: written the first time a print of that list held it, with
    the item's `dispatched` trail event, so that a reprint records nothing again."""
    list_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("handover_list.id", ondelete="CASCADE"),
                                               primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("service_request.id", ondelete="CASCADE"),
                                                  primary_key=True, index=True)
    at: so.Mapped[datetime] = so.mapped_column(AwareDateTime)

    list: so.Mapped[HandoverList] = so.relationship(back_populates="entries")

    def __repr__(self):
        return f"<HandoverEntry list={self.list_id} request={self.request_id}>"
