"""A fair, its zones and booths, and the departments that staff them."""
import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow


class FairStatus(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"

    @property
    def label(self):
        return {"draft": _l("筹备中"), "open": _l("进行中"), "closed": _l("已闭幕")}[self.value]


class DepartmentKind(enum.Enum):
    department = "department"
    bank = "bank"

    @property
    def label(self):
        return {"department": _l("部门"), "bank": _l("银行")}[self.value]


def enum_column(enum_cls, **kwargs):
    """Enums are stored as their lower-case value in a plain string column (portable, readable)."""
    return so.mapped_column(
        sa.Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True),
        **kwargs)


def new_screen_token() -> str:
    """32 random bytes: the link is the only key to the hall screen."""
    return secrets.token_urlsafe(32)


class Fair(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: e.g. 2026年泰安市要素保障大集
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: the day of the fair (a fair lasts one day)
    date: so.Mapped[date]
    #: the hall, printed on posters and the tally
    venue: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: only an open fair accepts requests
    status: so.Mapped[FairStatus] = enum_column(FairStatus, default=FairStatus.draft)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: when the fair was closed; its tally is frozen at that moment
    closed_at: so.Mapped[datetime | None]
    #: the closing tally as it stood at closed_at, so later close-outs never change printed figures
    tally_snapshot: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    #: moved by kiosk.changes whenever the fair, its zones, booths or their departments change:
    #: the dashboard, the hall screen and the tracking page show them
    setup_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: the address printed on this fair's posters and QR codes (scheme, host, port: no path), e.g.
    #: https://jizhi.taian.gov.cn; empty: the server's PUBLIC_BASE_URL (see fairs.address)
    public_base_url: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: the hall screen's view-only link /screen/<token>: unguessable, and renewed to cut off the old one
    screen_token: so.Mapped[str] = so.mapped_column(sa.String(43), unique=True, default=new_screen_token)

    zones: so.Mapped[list["Zone"]] = so.relationship(
        back_populates="fair", order_by="Zone.position", cascade="all, delete-orphan")
    events: so.Mapped[list["FairEvent"]] = so.relationship(
        back_populates="fair", order_by="FairEvent.id", cascade="all, delete-orphan")
    booths: so.Mapped[list["Booth"]] = so.relationship(
        back_populates="fair", order_by="Booth.code", cascade="all, delete-orphan",
        overlaps="zone,booths")

    @property
    def is_draft(self) -> bool:
        """Being set up: not yet taking requests."""
        return self.status is FairStatus.draft

    @property
    def is_open(self) -> bool:
        return self.status is FairStatus.open

    @property
    def is_closed(self) -> bool:
        """Over: the tally is frozen; staff may only add notes, follow-up is on the ledger."""
        return self.status is FairStatus.closed

    def __repr__(self):
        return f"<Fair {self.id} {self.name!r} {self.status.value}>"


class Zone(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fair_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("fair.id", ondelete="CASCADE"), index=True)
    #: e.g. 要素保障部门专区, 金融服务专区; tallies group by zone
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: order in lists and the tally
    position: so.Mapped[int] = so.mapped_column(default=0)

    fair: so.Mapped[Fair] = so.relationship(back_populates="zones")
    booths: so.Mapped[list["Booth"]] = so.relationship(
        back_populates="zone", order_by="Booth.code", overlaps="booths,fair")

    __table_args__ = (sa.UniqueConstraint("fair_id", "name"),)

    def __repr__(self):
        return f"<Zone {self.id} {self.name!r}>"


class Department(db.Model):
    """A government department or a bank; it lasts across fairs and is ranked across them."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: full name, e.g. 泰安市自然资源和规划局
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    kind: so.Mapped[DepartmentKind] = enum_column(DepartmentKind, default=DepartmentKind.department)
    #: moved by kiosk.changes whenever one of the department's ledger items changes (from any fair):
    #: the ledger pages poll it
    ledger_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    def __repr__(self):
        return f"<Department {self.id} {self.name!r}>"


class Booth(db.Model):
    """A department's stall at one fair, in one zone."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fair_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("fair.id", ondelete="CASCADE"), index=True)
    zone_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("zone.id"), index=True)
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("department.id"), index=True)
    #: short code printed on the poster and typed into /b/<code>, e.g. B07
    code: so.Mapped[str] = so.mapped_column(sa.String(8))
    #: the last ticket sequence handed out here; tickets read B07-001, B07-002, ...
    last_seq: so.Mapped[int] = so.mapped_column(default=0)
    #: moved by kiosk.changes whenever a request in this booth's queue changes; the queue poll's
    #: ETag, so an unchanged queue costs one primary-key read and a 304
    queue_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: no longer takes requests (not offered on the company's form, /b/<code> says so) but stays on
    #: the tallies and the dashboard with the requests it took: a booth with requests is never deleted
    hidden: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    fair: so.Mapped[Fair] = so.relationship(back_populates="booths", overlaps="booths,zone")
    zone: so.Mapped[Zone] = so.relationship(back_populates="booths", overlaps="booths,fair")
    department: so.Mapped[Department] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("fair_id", "code"),
        sa.UniqueConstraint("fair_id", "department_id"),
    )

    @property
    def name(self) -> str:
        return self.department.name

    def __repr__(self):
        return f"<Booth {self.id} {self.code}>"


def fair_booths(fair_id: int) -> list[sa.Row]:
    """A fair's booths in code order, as (id, code, name, zone) rows: what every booth picker lists.
    Hidden booths are left out: they take no requests, from a company, a walk-in or a transfer.

    Plain rows rather than objects: the company's form asks for them on every submission.
    """
    return db.session.connection().execute(_FAIR_BOOTHS, {"fair_id": fair_id}).all()


class FairEvent(db.Model):
    """The fair's own trail: opened, closed, reopened (with the reason)."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fair_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("fair.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: the status the fair moved to
    to_status: so.Mapped[FairStatus] = enum_column(FairStatus)
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)

    fair: so.Mapped[Fair] = so.relationship(back_populates="events")
    actor: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    def __repr__(self):
        return f"<FairEvent {self.id} fair={self.fair_id} -> {self.to_status.value}>"


_FAIR_BOOTHS = (sa.select(Booth.id, Booth.code, Department.name, Zone.name.label("zone"))
                .join(Zone, Booth.zone_id == Zone.id).join(Department, Booth.department_id == Department.id)
                .where(Booth.fair_id == sa.bindparam("fair_id"), Booth.hidden.is_(False)).order_by(Booth.code))
