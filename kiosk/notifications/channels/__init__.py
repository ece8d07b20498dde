"""The channels a message travels over (WeCom group robots, SMS through Alibaba Cloud's HTTP API,
e-mail over SMTP), as organisers configure them (kiosk.notifications.channel_models). The worker
calls `send`; the rules that write messages call `configured` to learn which channels reach an
audience. Each channel answers within NOTIFY_TIMEOUT_SECONDS or fails this time; no failure's
text, and nothing logged, holds a secret (a robot's key, a password, the SMS key's secret)."""
import logging
import traceback
from collections.abc import Callable
from functools import partial

from kiosk.core.extensions import db
from kiosk.notifications.channel_models import ChannelSettings, DepartmentChannels, SmsKind, addresses
from kiosk.notifications.channels import email, sms, wecom
from kiosk.notifications.channels.common import DeliveryFailed, Undeliverable, scrub
from kiosk.notifications.models import Audience, Channel, OutboxMessage
from kiosk.service_requests.models import ServiceRequest

__all__ = ["DeliveryFailed", "Undeliverable", "configured", "prepare", "send"]

log = logging.getLogger(__name__)


def configured(audience: Audience, department_id: int | None = None) -> list[Channel]:
    """The channels that reach this audience now: a department's (or the organisers') robot, and
    their e-mail when an SMTP server is set; the company's SMS when the SMS provider is set (whether
    a company consented is asked when its message is sent, from its request)."""
    settings = ChannelSettings.current()
    if audience is Audience.company:
        return [Channel.sms] if settings.sms_ready else []
    robot, emails = _addresses(settings, audience, department_id)
    found = [Channel.wecom] if robot else []
    if emails and settings.smtp_ready:
        found.append(Channel.email)
    return found


def send(message: OutboxMessage) -> None:
    """Deliver one message over its channel, with its key; raise DeliveryFailed or Undeliverable."""
    prepare(message)()


def prepare(message: OutboxMessage) -> Callable[[], None]:
    """Read what sending the message needs (the settings, its address, the company's consent), and
    give back the sending itself, which reads no database: the worker ends its transaction between
    the two, so that none stays open (idle, holding its snapshot) while a channel answers."""
    settings = ChannelSettings.current()
    secrets, key = settings.secrets + _department_secrets(message), message.key
    try:
        sending = _sending(settings, message)
    except DeliveryFailed as failure:
        raise _scrubbed(failure, secrets) from None

    def send_now() -> None:
        try:
            sending()
        except DeliveryFailed as failure:  # its text, scrubbed once more of every secret we hold
            raise _scrubbed(failure, secrets) from None
        except Exception as error:  # a bug in a channel: its text may quote a URL, key and all
            trace = scrub("".join(traceback.format_exception(error)), secrets)
            log.error("%s: a channel broke\n%s", key, trace)
            raise DeliveryFailed(scrub(f"{type(error).__name__}: {error}", secrets)) from None

    return send_now


def _sending(settings: ChannelSettings, message: OutboxMessage) -> Callable[[], None]:
    if message.channel is Channel.wecom:
        robot, _ = _addresses(settings, message.audience, message.department_id)
        if not robot:
            raise Undeliverable("没有配置接收这条消息的企业微信群机器人")
        return partial(wecom.send, robot, message.key, message.subject, message.body)
    if message.channel is Channel.email:
        _, recipients = _addresses(settings, message.audience, message.department_id)
        if not recipients or not settings.smtp_ready:
            raise Undeliverable("没有配置收件邮箱或 SMTP 服务器")
        return partial(email.send, settings, recipients, message.key, message.subject, message.body)
    return _sms(settings, message)


def _scrubbed(failure: DeliveryFailed, secrets: list[str]) -> DeliveryFailed:
    return type(failure)(scrub(str(failure), secrets), retry_after=failure.retry_after)


def _addresses(settings: ChannelSettings, audience: Audience, department_id: int | None):
    """The robot URL and the e-mail addresses of a department or of the organisers."""
    if audience is Audience.organisers:
        return settings.organisers_robot_url, addresses(settings.organisers_emails)
    if audience is Audience.department and department_id is not None:
        row = db.session.get(DepartmentChannels, department_id)
        if row is not None:
            return row.robot_url, addresses(row.emails)
    return None, []


def _department_secrets(message: OutboxMessage) -> list[str]:
    robot, _ = _addresses(ChannelSettings.current(), message.audience, message.department_id)
    return [robot] if robot else []


def _sms(settings: ChannelSettings, message: OutboxMessage) -> Callable[[], None]:
    """A company's SMS goes to the mobile on its request, only while it consents; the organisers'
    test SMS to their own test mobile."""
    if not settings.sms_ready:
        raise Undeliverable("没有配置短信服务")
    if message.audience is Audience.company:
        request = db.session.get(ServiceRequest, message.request_id) if message.request_id else None
        if request is None:
            raise Undeliverable("找不到这条短信所属的需求")
        if getattr(request, "sms_consent_at", None) is None:
            raise Undeliverable("企业没有同意接收短信（或已撤回同意）")
        mobile = request.contact_mobile
    elif message.audience is Audience.organisers and message.kind == SmsKind.test.value:
        mobile = settings.sms_test_mobile
        if not mobile:
            raise Undeliverable("没有填写接收测试短信的手机号")
    else:
        raise Undeliverable("短信只发给企业（和组织方的测试）")
    try:
        kind = SmsKind(message.kind)
    except ValueError:
        raise Undeliverable(f"“{message.kind}”不是短信消息的种类") from None
    template = settings.template_for(kind)
    if not template:
        raise Undeliverable(f"没有填写“{kind.label}”的短信模板")
    return partial(sms.send, settings.sms_url, settings.sms_access_key_id, settings.sms_access_key_secret,
                   mobile=mobile, sign_name=settings.sms_sign_name, template=template, params=message.params,
                   key=message.key)
