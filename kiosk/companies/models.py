"""A company is one record by its credit code, across booths and fairs."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow


class Company(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: 统一社会信用代码, 18 characters, normalised to capitals
    credit_code: so.Mapped[str] = so.mapped_column(sa.String(18), unique=True)
    #: the name of its first filing, changed only by an organiser (service_requests.company_names); each request
    #: keeps the name its own form gave
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: when an organiser last chose the name; names filed before it are settled and flag nothing
    name_chosen_at: so.Mapped[datetime | None]

    def __repr__(self):
        return f"<Company {self.id} {self.credit_code}>"
