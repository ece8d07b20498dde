"""A company's request at a booth, and its trail of events (their kinds, as words: kinds.py)."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, fair_today, utcnow
from kiosk.fairs.models import Booth, Fair, enum_column
from kiosk.service_requests.after_fair import AfterFairColumns
from kiosk.service_requests.calls import CallColumns

# The kinds are the words of the tables below; their users import them from here or from kinds.
from kiosk.service_requests.kinds import CATEGORY_LABELS as CATEGORY_LABELS
from kiosk.service_requests.kinds import CHANNEL_LABELS as CHANNEL_LABELS
from kiosk.service_requests.kinds import EVENT_LABELS as EVENT_LABELS
from kiosk.service_requests.kinds import STATUS_LABELS as STATUS_LABELS
from kiosk.service_requests.kinds import Category, Channel, EventKind, Status
from kiosk.service_requests.numbers import qualified_no

request_joint_booth = sa.Table(
    "request_joint_booth", db.metadata,
    sa.Column("request_id", sa.ForeignKey("service_request.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("booth_id", sa.ForeignKey("booth.id", ondelete="CASCADE"), primary_key=True),
)


class ServiceRequest(AfterFairColumns, CallColumns, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fair_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("fair.id"), index=True)
    #: the lead booth, responsible now; a transfer changes it and the trail keeps the old one
    booth_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("booth.id"), index=True)
    #: (indexed with its category, fair and state: ix_service_request_company_id below)
    company_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("company.id"))
    #: the company's name as this form gave it: shown wherever this request is, so that no later
    #: filing under the same credit code (by anyone: credit codes are public) renames it
    company_name: so.Mapped[str] = so.mapped_column(sa.String(200), server_default="")
    #: read aloud at the booth: the receiving booth's code and its sequence, e.g. B07-012
    ticket_no: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: the secret in the company's tracking URL
    token: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: one per filled form, so a double tap or a retried POST makes one request
    submission_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    channel: so.Mapped[Channel] = enum_column(Channel, default=Channel.phone)
    #: a random id of the phone's browser session, to rate-limit a device rather than the venue's
    #: one shared IP address
    device: so.Mapped[str | None] = so.mapped_column(sa.String(32), index=True)
    category: so.Mapped[Category] = enum_column(Category)
    #: what the company needs, in its own words
    need: so.Mapped[str] = so.mapped_column(sa.Text)
    project_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: for funding requests, in 万元
    amount_wan: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(14, 2))
    #: the person at the booth; a company sends different people
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(50))
    contact_mobile: so.Mapped[str] = so.mapped_column(sa.String(11))
    status: so.Mapped[Status] = enum_column(Status, default=Status.waiting, index=True)
    #: 现场办结: what was done
    resolution: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: 现场拿出解决方案: what will be done, by whom, by when
    plan_text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    plan_unit: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    plan_person: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    #: the due date the plan was given with at the fair: never moved (an extension is an Extension),
    #: so that on time is always judged against it
    plan_due: so.Mapped[date | None]
    #: the due date as it stands now (due_now: the latest extension's, else plan_due), kept by the
    #: moves that change it (plan, extend, reopen) so that SQL sorts and counts by it on an index
    current_due: so.Mapped[date | None]
    #: 办结: what the department did after the fair (the result shown to the company)
    closeout_result: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: what shows it was done: a document number, an approval, a site visit
    closeout_evidence: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: when the department recorded it done and asked for close-out; cleared when sent back
    done_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: 销号: when an organiser confirmed it; cleared when the company disputes the result
    closed_out_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: closed_out_at's day where the fair is: what on time compares with plan_due (in SQL too)
    closed_out_on: so.Mapped[date | None]
    #: the matter's one rating (一事一评), 1..5: the company's rating of the close-out where it gave
    #: one, else its fair-day slip's overall rating; kept by kiosk.scoreboard.ratings whenever a slip
    #: or a verdict is written, so that the scoreboard counts it on an index, joining nothing
    rating: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    #: the rating is the close-out verdict's (not the slip's); a server default only, so that an
    #: insert written past the ORM against an older schema (the migration tests do) need not name it
    rated_on_closeout: so.Mapped[bool] = so.mapped_column(server_default=sa.false())
    #: when the company agreed, on the form, to be texted its request's progress (PIPL: asked apart,
    #: unticked, its purpose said); None: no consent, or withdrawn from the tracking page (the trail
    #: keeps when, and what had been agreed). kiosk.intake.sms_consent
    sms_consent_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: the version of the consent's wording it agreed to (kiosk.intake.sms_consent.WORDINGS)
    sms_consent_wording: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    #: moved by any change to the request or its trail (kiosk.changes); indexed: the API's
    #: modified_since reads the few changed since a time
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow, index=True)
    #: bumped on every change, so two people saving at once cannot overwrite each other
    version: so.Mapped[int] = so.mapped_column(default=1)

    fair: so.Mapped[Fair] = so.relationship()
    booth: so.Mapped[Booth] = so.relationship()
    company: so.Mapped[Company] = so.relationship()
    joint_booths: so.Mapped[list[Booth]] = so.relationship(secondary=request_joint_booth)
    events: so.Mapped[list["RequestEvent"]] = so.relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan")
    slip: so.Mapped["SatisfactionSlip | None"] = so.relationship(  # noqa: F821
        viewonly=True, uselist=False, primaryjoin="SatisfactionSlip.request_id == ServiceRequest.id")
    #: every extension asked for or made, oldest first, whatever became of it (kiosk.ledger.models):
    #: the record. `extensions` are the approved ones, the only ones that moved the due date
    extension_requests: so.Mapped[list["Extension"]] = so.relationship(  # noqa: F821
        back_populates="request", order_by="(Extension.at, Extension.id)", cascade="all, delete-orphan")
    #: the company's confirmation or dispute of the close-out: one per request (kiosk.ledger.models)
    verdict: so.Mapped["CloseOutVerdict | None"] = so.relationship(  # noqa: F821
        back_populates="request", uselist=False, cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("fair_id", "ticket_no"),
        # The ledger's overdue count and its sort by due date, over every fair...
        # (each of the three with parked_until, which overdue reads: a parked item is not overdue, and
        # the count stays on the index whichever of them the database picks: migration 0030)
        sa.Index("ix_service_request_status_current_due", "status", "current_due", "parked_until"),
        # ...and for one department (its booths at every fair): bench/ledger.py...
        sa.Index("ix_service_request_booth_status_due", "booth_id", "status", "current_due", "parked_until"),
        # ...and the overdue count alone, on the items still open (PostgreSQL read the table's rows
        # for the (status, current_due) index; this one it counts without them: bench/RESULTS.md)
        sa.Index("ix_service_request_awaiting_due", "current_due", "parked_until",
                 postgresql_where=sa.text("status IN ('planned', 'done')"),
                 sqlite_where=sa.text("status IN ('planned', 'done')")),
        # The few items ever parked (挂账): the scoreboard's and the bottleneck analysis's counts of
        # them read these, not every request (kiosk.supervision.parking_models)
        sa.Index("ix_service_request_parked", "parked_until",
                 postgresql_where=sa.text("parked_until IS NOT NULL"),
                 sqlite_where=sa.text("parked_until IS NOT NULL")),
        # A company's requests (its file, 一企一档), with what telling which categories it brought to
        # several fairs reads (kiosk.service_requests.analysis_copies counts a company's category on it)
        sa.Index("ix_service_request_company_id", "company_id", "category", "fair_id", "status"),
        # The ledger's items with every column the bottleneck analysis reads, so that its pass does
        # not read the requests' wide rows (bench/analysis.py), disputed among them (its copy)
        sa.Index("ix_service_request_ledger_analysis", "category", "booth_id", "park_cause", "company_id", "status",
                 "plan_due", "current_due", "parked_until", "fair_id", "disputed",
                 postgresql_where=sa.text("status IN ('planned', 'done', 'closed_out')"),
                 sqlite_where=sa.text("status IN ('planned', 'done', 'closed_out')")),
        # A department's planned items not yet acknowledged (签收): its ledger home lists them on
        # every visit; few rows, so a partial index keeps the look-up off the department's thousands
        sa.Index("ix_service_request_awaiting_receipt", "booth_id",
                 postgresql_where=sa.text("acknowledged_at IS NULL AND status = 'planned'"),
                 sqlite_where=sa.text("acknowledged_at IS NULL AND status = 'planned'")),
    )
    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def due_now(self) -> date | None:
        """The due date as it stands: the latest approved extension's new date, else the original
        plan_due (one asked for and not yet approved moves nothing)."""
        if self.plan_due is None:
            return None
        approved = self.extensions
        return approved[-1].new_due if approved else self.plan_due

    @due_now.inplace.expression
    @classmethod
    def _due_now_expression(cls):
        return cls.current_due

    def overdue_on(self, day: date) -> bool:
        """Overdue on that day: on the ledger and not yet closed out (planned, or done but not
        confirmed), past its current due date (an extension moves it), and not parked that day (挂账:
        counted apart, never as overdue). Derived, never stored."""
        due = self.due_now
        return self.status.awaits_closeout and due is not None and due < day and not self.parked_on(day)

    def parked_on(self, day: date) -> bool:
        """挂账 on that day: an approved parking whose review day is later (on its review day the
        item is back, overdue again if its due date has passed). kiosk.supervision.parking_models."""
        return self.parked_until is not None and self.parked_until > day

    @property
    def is_parked(self) -> bool:
        """Parked today, where the fair is."""
        return self.parked_on(fair_today())

    @property
    def last_transfer(self) -> "RequestEvent | None":
        """The latest transfer (转办): the company's page says where the request went, and why."""
        return next((event for event in reversed(self.events) if event.kind.moves_lead), None)

    @property
    def is_overdue(self) -> bool:
        """Overdue today, where the fair is."""
        return self.overdue_on(fair_today())

    @property
    def qualified_no(self) -> str:
        """The ticket with its fair (20260613-F3-B01-002: kiosk.service_requests.numbers), for every
        list, export and answer that holds requests of several fairs: a ticket repeats across fairs."""
        return qualified_no(self.fair.date, self.fair_id, self.ticket_no)

    @property
    def closed_out_on_time(self) -> bool | None:
        """Closed out by the ORIGINAL due date, whatever the extensions (None: not closed out)."""
        if not self.status.is_closed_out or self.closed_out_on is None or self.plan_due is None:
            return None
        return self.closed_out_on <= self.plan_due

    @property
    def extension_count(self) -> int:
        """How many times the due date moved: approved extensions only."""
        return len(self.extensions)

    @property
    def extensions(self) -> list["Extension"]:  # noqa: F821
        """The approved extensions, oldest first: the ones that moved the due date (the company sees
        these; asked for and refused ones are the staff's: extension_requests)."""
        return [e for e in self.extension_requests if e.status.is_approved]

    @property
    def pending_extension(self) -> "Extension | None":  # noqa: F821
        """The extension asked for and waiting for an organiser (one at a time), or None."""
        return next((e for e in reversed(self.extension_requests) if e.status.is_pending), None)

    @property
    def progress_notes(self) -> list["RequestEvent"]:
        """The department's progress notes after the fair, oldest first: the company reads them."""
        return [e for e in self.events if e.kind.is_progress]

    def __repr__(self):
        return f"<ServiceRequest {self.id} {self.ticket_no} {self.status.value}>"


class RequestEvent(db.Model):
    """One line of a request's trail (轨迹). Rows are only ever added."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: the staff member or organiser; empty when the company itself acted
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    kind: so.Mapped[EventKind] = enum_column(EventKind)
    from_status: so.Mapped[Status | None] = enum_column(Status, nullable=True)
    to_status: so.Mapped[Status | None] = enum_column(Status, nullable=True)
    #: the booth a transfer took it from (indexed: that booth's 已转出 tab reads by it)
    from_booth_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("booth.id"), index=True)
    to_booth_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("booth.id"))
    #: the reason, the note, or what was done
    detail: so.Mapped[str | None] = so.mapped_column(sa.Text)

    request: so.Mapped[ServiceRequest] = so.relationship(back_populates="events")
    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821
    from_booth: so.Mapped[Booth | None] = so.relationship(foreign_keys=[from_booth_id])
    to_booth: so.Mapped[Booth | None] = so.relationship(foreign_keys=[to_booth_id])

    def __repr__(self):
        return f"<RequestEvent {self.id} {self.kind.value} on {self.request_id}>"


#: the states an overdue item can be in (Status.awaits_closeout), for SQL
AWAITING_CLOSEOUT = tuple(s for s in Status if s.awaits_closeout)


def awaiting_closeout_sql():
    """The SQL condition for `status.awaits_closeout`, with its states written into the statement
    (not bound as parameters), so that SQLite and PostgreSQL see it implies the partial index
    ix_service_request_awaiting_due's own condition and use it."""
    return ServiceRequest.status.in_(sa.bindparam("awaiting_closeout", AWAITING_CLOSEOUT, expanding=True,
                                                  literal_execute=True))


def overdue_on_sql(day: date):
    """The SQL condition for `ServiceRequest.overdue_on(day)`: answered by the partial index
    ix_service_request_awaiting_due (the overdue count reads nothing else)."""
    return sa.and_(awaiting_closeout_sql(), ServiceRequest.current_due < day,
                   sa.or_(ServiceRequest.parked_until.is_(None), ServiceRequest.parked_until <= day))


def parked_on_sql(day: date):
    """The SQL condition for `ServiceRequest.parked_on(day)`."""
    return ServiceRequest.parked_until > day


def in_queue_of(booth_id):
    """The SQL condition for 'this request shows in that booth's queue' (booth_id: an id or a bindparam)."""
    joined = sa.select(request_joint_booth.c.request_id).where(request_joint_booth.c.booth_id == booth_id)
    return sa.or_(ServiceRequest.booth_id == booth_id, ServiceRequest.id.in_(joined))
