"""The channels' settings as organisers configure them (/notifications/channels): one row of
settings for the organisers' own addresses, the SMTP server and the SMS provider
(`ChannelSettings`), and a row per department for its group robot and e-mail addresses
(`DepartmentChannels`). Secrets (a robot's URL, which holds its key; the SMTP password; the SMS
access key secret) are kept here and only here: never shown whole again, never logged, never in an
error (`mask`)."""
import enum
import re
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, now_aware
from kiosk.fairs.models import enum_column

#: Alibaba Cloud SMS's public endpoint (dysmsapi, API version 2017-05-25), the default
SMS_DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"


class TlsMode(enum.Enum):
    """How the kiosk talks to the SMTP server: STARTTLS on the submission port (587), TLS from the
    first byte (465), or plain (only for a relay on the same machine or network)."""
    starttls = "starttls"
    ssl = "ssl"
    none = "none"

    @property
    def label(self):
        return TLS_LABELS[self]


TLS_LABELS = {TlsMode.starttls: _l("STARTTLS（通常端口 587）"), TlsMode.ssl: _l("SSL/TLS（通常端口 465）"),
              TlsMode.none: _l("不加密（仅限本机或内网中继）")}


class SmsKind(enum.Enum):
    """The company's SMS messages, each sent with a template the provider approved. An outbox
    message to a company carries one of these values as its `kind`; its `params` fill the
    template's variables. `test` is the organisers' "send a test" (a template without variables)."""
    plan_given = "plan_given"
    extension_approved = "extension_approved"
    done_awaiting_confirmation = "done_awaiting_confirmation"
    closed_out = "closed_out"
    test = "test"

    @property
    def label(self):
        return SMS_KIND_LABELS[self]


SMS_KIND_LABELS = {SmsKind.plan_given: _l("已给出解决方案"), SmsKind.extension_approved: _l("延期已批准"),
                   SmsKind.done_awaiting_confirmation: _l("已办结，待销号"), SmsKind.closed_out: _l("已销号"),
                   SmsKind.test: _l("测试短信")}


class ChannelSettings(db.Model):
    """The one row of channel settings (id 1): `current()` to read it, `editable()` to change it."""
    __tablename__ = "channel_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the organisers' WeCom group robot: its webhook URL, key included (a secret)
    organisers_robot_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    #: the organisers' e-mail addresses, comma-separated
    organisers_emails: so.Mapped[str | None] = so.mapped_column(sa.Text)
    smtp_host: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    smtp_port: so.Mapped[int | None] = so.mapped_column()
    smtp_tls: so.Mapped[TlsMode] = enum_column(TlsMode, default=TlsMode.starttls)
    smtp_user: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: a secret
    smtp_password: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: the From address (its domain also names the Message-ID)
    smtp_sender: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    sms_access_key_id: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    #: a secret
    sms_access_key_secret: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: None: the provider's public endpoint (SMS_DEFAULT_ENDPOINT)
    sms_endpoint: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    #: the signature (签名) the provider approved, e.g. 泰安市工业推进办
    sms_sign_name: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    #: each SmsKind's value -> the provider's template code (SMS_123456789)
    sms_templates: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    #: where the organisers' test SMS goes (their own mobile; never a company's)
    sms_test_mobile: so.Mapped[str | None] = so.mapped_column(sa.String(11))
    updated_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime, onupdate=now_aware)

    @classmethod
    def current(cls) -> "ChannelSettings":
        """The settings as they stand, to read: the row (migration 0035 writes it), or empty ones
        kept out of the session when it is missing, so that a read never writes."""
        found = db.session.get(cls, 1)
        return found if found is not None else cls(id=1, smtp_tls=TlsMode.starttls, sms_templates={})

    @classmethod
    def editable(cls) -> "ChannelSettings":
        """The settings row to change, added to the session when it is missing."""
        found = db.session.get(cls, 1)
        if found is None:
            found = cls(id=1, smtp_tls=TlsMode.starttls, sms_templates={})
            db.session.add(found)
        return found

    @property
    def smtp_ready(self) -> bool:
        return bool(self.smtp_host and self.smtp_port and self.smtp_sender)

    @property
    def sms_ready(self) -> bool:
        return bool(self.sms_access_key_id and self.sms_access_key_secret and self.sms_sign_name)

    @property
    def sms_url(self) -> str:
        return self.sms_endpoint or SMS_DEFAULT_ENDPOINT

    def template_for(self, kind: SmsKind) -> str | None:
        return (self.sms_templates or {}).get(kind.value) or None

    @property
    def secrets(self) -> list[str]:
        """Every secret these settings hold, for scrubbing any text shown or logged."""
        return [s for s in (self.organisers_robot_url, self.smtp_password, self.sms_access_key_secret) if s]

    def __repr__(self):
        return f"<ChannelSettings smtp={self.smtp_host!r} sms={self.sms_sign_name!r}>"


class DepartmentChannels(db.Model):
    """Where a department's messages go: its WeCom group robot, its e-mail addresses."""
    __tablename__ = "department_channels"

    department_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("department.id", ondelete="CASCADE"), primary_key=True)
    #: its WeCom group robot's webhook URL, key included (a secret)
    robot_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    #: its e-mail addresses, comma-separated
    emails: so.Mapped[str | None] = so.mapped_column(sa.Text)

    def __repr__(self):
        return f"<DepartmentChannels {self.department_id}>"


def addresses(text: str | None) -> list[str]:
    """The e-mail addresses of a stored list (comma, semicolon, space or line separated)."""
    return [a for a in re.split(r"[\s,;，；]+", text or "") if a]


def mask(secret: str | None) -> str:
    """A secret as pages show it: its last four characters after dots (••••a1b2), or nothing."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) >= 12 else "")
