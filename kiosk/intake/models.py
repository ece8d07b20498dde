"""What the company's path keeps besides requests: the lookups that found nothing."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow


class LookupMiss(db.Model):
    """One lookup by ticket number and mobile digits that found nothing (or is being checked: it is
    written before the check, so that guesses sent together cannot all pass the count). Counted per
    ticket, per mobile digits and per fair to slow guessing down (intake.lookup); never per IP
    address."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fair_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("fair.id", ondelete="CASCADE"))
    #: the ticket number as normalised (B07-003), whether or not any request has it
    ticket_no: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: the last 4 digits of the mobile as typed (ASCII), whether or not any request has them: the
    #: secret of a lookup, ticket numbers being public (kept no longer than the lookup's longest window)
    last4: so.Mapped[str] = so.mapped_column(sa.String(4))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_lookup_miss_fair_at", "fair_id", "at"),
                      sa.Index("ix_lookup_miss_fair_last4_at", "fair_id", "last4", "at"))

    def __repr__(self):
        return f"<LookupMiss {self.fair_id} {self.ticket_no} …{self.last4}>"
