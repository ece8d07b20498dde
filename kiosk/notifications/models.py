"""The outbox: one row per message to send over one channel to one audience. Written in the
transaction of the change that causes it (kiosk.notifications.outbox.enqueue), so a refused or
rolled-back change sends nothing; read and sent by the worker (kiosk.notifications.worker)."""
import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.timeutil import AwareDateTime, now_aware
from kiosk.fairs.models import enum_column


class Channel(enum.Enum):
    """How a message travels. The address is looked up when it is sent (a department's robot, the
    organisers' e-mail, the company's mobile), so that no secret (a robot's URL holds its key) and
    no personal data is copied into the outbox."""
    wecom = "wecom"
    sms = "sms"
    email = "email"

    @property
    def label(self):
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {Channel.wecom: _l("企业微信群机器人"), Channel.sms: _l("短信"), Channel.email: _l("电子邮件")}


class Audience(enum.Enum):
    """Whom a message is for: a department (department_id), the organisers, or the company that
    filed a request (request_id), which only ever gets SMS, and only with its consent."""
    department = "department"
    organisers = "organisers"
    company = "company"


class MessageState(enum.Enum):
    """pending: to be sent (again, after a failure, from next_attempt_at); sent: the channel took it;
    failed: it kept failing (or can never succeed) and waits for an organiser to retry or drop it;
    dropped: an organiser gave up on it."""
    pending = "pending"
    sent = "sent"
    failed = "failed"
    dropped = "dropped"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {MessageState.pending: _l("待发送"), MessageState.sent: _l("已发送"),
                MessageState.failed: _l("发送失败"), MessageState.dropped: _l("已放弃")}


class OutboxMessage(db.Model):
    """One message, to one audience, over one channel."""
    __tablename__ = "outbox_message"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the idempotency key: one message per key, ever (a retried change, a second worker or a
    #: digest made twice finds it taken); sent to the channel where it takes one
    key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    #: what happened, as a short code (kiosk.notifications.messages names each one)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    channel: so.Mapped[Channel] = enum_column(Channel)
    audience: so.Mapped[Audience] = enum_column(Audience)
    department_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("department.id", ondelete="CASCADE"), index=True)
    #: the request it is about (for a company: the request whose mobile it goes to)
    request_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    #: a title (e-mail subject, the robot's heading)
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: the text: Markdown for a robot, plain text for e-mail; an SMS's is what the template says
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    #: an SMS template's parameters (providers send only approved templates), else None
    params: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    state: so.Mapped[MessageState] = enum_column(MessageState, default=MessageState.pending)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    #: a pending message is not tried before this (backoff after a failure)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(AwareDateTime, default=now_aware)
    #: a worker that claimed it holds it until then; a worker killed mid-send lets it go by itself
    claimed_until: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: the last failure's reason, as the channel gave it (never a robot's URL or key)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)

    __table_args__ = (
        # the worker's one read: what is due, oldest first
        sa.Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    def __repr__(self):
        return f"<OutboxMessage {self.id} {self.kind} {self.channel.value} {self.state.value} key={self.key}>"
