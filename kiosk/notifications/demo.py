"""The demo's notifications (`flask demo load`): its channels aimed at a local fake of their far ends
(scripts/fake_sink.py, which `make run` starts on loopback at DEMO_SINK_HTTP_PORT and
DEMO_SINK_SMTP_PORT), and the notices of last month's fair in the outbox: the 督办单, the disputes,
the extension and parking requests, each written by kiosk.notifications.messages as the move
would, dated from the row that caused it and sent in its day; the latest few left to send, which
the worker `make run` starts sends to the fake within seconds. The last step of last month's demo
(kiosk.demo.LAST_MONTH): the steps before it wrote no message, no channel being set up yet."""
import os
from datetime import datetime, timedelta

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.ledger.models import CloseOutVerdict, Extension, ExtensionStatus
from kiosk.notifications import messages
from kiosk.notifications.channel_models import ChannelSettings, DepartmentChannels, SmsKind, TlsMode
from kiosk.notifications.models import MessageState, OutboxMessage
from kiosk.supervision.models import SupervisionNotice
from kiosk.supervision.parking_models import Parking, ParkingStatus

#: how many of the latest notices are left for the worker to send
LEFT_TO_SEND = 3


def past_notices(month) -> None:
    """The step: channels aimed at the fake, then last month's notices written and dated."""
    aim_channels_at_the_fake({booth.department_id for booth in month.booths})
    written: list[tuple[datetime, OutboxMessage]] = []
    for when, write in list(_what_happened()):
        before = _message_ids()
        write()
        written += [(when, message) for message in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id.not_in(before)))]
    written.sort(key=lambda pair: pair[0])
    for number, (when, message) in enumerate(written):
        message.created_at = message.next_attempt_at = when
        if number < len(written) - LEFT_TO_SEND:
            message.state, message.attempts, message.sent_at = MessageState.sent, 1, when + timedelta(seconds=20)
        else:
            message.next_attempt_at = now_aware()
    db.session.flush()


def aim_channels_at_the_fake(department_ids) -> None:
    """Every channel at the local fake: the organisers' robot and e-mail, each department's robot,
    plain SMTP and the SMS endpoint, both on loopback."""
    host = "127.0.0.1"
    base = f"http://{host}:{os.environ.get('DEMO_SINK_HTTP_PORT', '8025')}"
    settings = ChannelSettings.editable()
    settings.organisers_robot_url = f"{base}/cgi-bin/webhook/send?key=demo-organisers"
    settings.organisers_emails = "tuijinban@demo.example.cn"
    settings.smtp_host, settings.smtp_port = host, int(os.environ.get("DEMO_SINK_SMTP_PORT", "8026"))
    settings.smtp_tls, settings.smtp_sender = TlsMode.none, "notify@demo.example.cn"
    settings.sms_access_key_id, settings.sms_access_key_secret = "demo-access-key", "demo-access-secret"
    settings.sms_endpoint, settings.sms_sign_name = f"{base}/", "泰安市工业推进办"
    settings.sms_templates = {kind.value: f"SMS_DEMO_{number:04d}" for number, kind in enumerate(SmsKind, 1)}
    for department_id in sorted(department_ids):
        row = db.session.get(DepartmentChannels, department_id) or DepartmentChannels(department_id=department_id)
        row.robot_url = f"{base}/cgi-bin/webhook/send?key=demo-d{department_id}"
        db.session.add(row)
    db.session.flush()


def _what_happened():
    """(when, write its messages) for each move of the demo that tells someone."""
    for notice in db.session.scalars(sa.select(SupervisionNotice)):
        yield notice.issued_at, lambda notice=notice: messages.notice_issued(notice)
    for verdict in db.session.scalars(sa.select(CloseOutVerdict).where(CloseOutVerdict.accepted.is_(False))):
        yield verdict.at, lambda verdict=verdict: messages.disputed(verdict)
    for extension in db.session.scalars(sa.select(Extension).where(
            Extension.status.in_([ExtensionStatus.pending, ExtensionStatus.refused]))):
        yield extension.at, lambda extension=extension: messages.extension_asked(extension.request, extension)
        if extension.status is ExtensionStatus.refused:
            yield extension.decided_at or extension.at, lambda extension=extension: messages.extension_refused(
                extension.request, extension)
    for parking in db.session.scalars(sa.select(Parking).where(Parking.status == ParkingStatus.asked)):
        yield parking.asked_at, lambda parking=parking: messages.park_asked(parking.request, parking)


def _message_ids() -> set[int]:
    return set(db.session.scalars(sa.select(OutboxMessage.id)))
