"""The organisers' channels page, /notifications/channels: where each audience's messages go (the
organisers' and every department's WeCom group robot and e-mail, in one table), the SMTP server
and the SMS provider (Alibaba Cloud: key, signature, a template per message). Each form saves;
its "send a test" buttons (发送测试) save too, then write a test message to the outbox, which the
worker sends like any other: the page lists the latest tests with their outcome, and polls while
one is waiting. A form with a mistake comes back with the message beside its field and everything
typed kept (secrets excepted: they are never written back into a page)."""
import uuid

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.auth.access import organiser_required
from kiosk.core.extensions import db
from kiosk.core.rendering import render_block
from kiosk.core.timeutil import local_time, now_aware
from kiosk.fairs.models import Department
from kiosk.notifications import bp, outbox
from kiosk.notifications.channel_forms import SmsForm, SmtpForm, addresses_form
from kiosk.notifications.channel_models import (
    ChannelSettings,
    DepartmentChannels,
    SmsKind,
    TlsMode,
    addresses,
    mask,
)
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage

#: the latest tests listed
SHOWN_TESTS = 10
#: what a test message says (in Chinese, as every message the kiosk sends)
TEST_SUBJECT = "测试消息"
TEST_BODY = "这是要素保障大集系统发出的测试消息（{time}）。收到它，说明这个通道已配置好。"


@bp.get("/channels")
@organiser_required
def channels_page():
    return _page()


@bp.post("/channels/addresses")
@organiser_required
def save_addresses():
    departments = _departments()
    form = addresses_form([d.id for d in departments])()
    if not form.validate_on_submit():
        return _page(addresses=form, status=422)
    settings = ChannelSettings.editable()
    settings.organisers_robot_url = _secret(form.organisers_robot.data, form.clear_organisers.data,
                                            settings.organisers_robot_url)
    settings.organisers_emails = _joined(form.organisers_emails.data)
    rows = _department_rows()
    for department in departments:
        row = rows.get(department.id) or DepartmentChannels(department_id=department.id)
        row.robot_url = _secret(form[f"robot_{department.id}"].data, form[f"clear_{department.id}"].data,
                                row.robot_url)
        row.emails = _joined(form[f"emails_{department.id}"].data)
        db.session.add(row)
    return _saved(form)


@bp.post("/channels/smtp")
@organiser_required
def save_smtp():
    form = SmtpForm()
    if not form.validate_on_submit():
        return _page(smtp=form, status=422)
    settings = ChannelSettings.editable()
    settings.smtp_host, settings.smtp_port = form.host.data, form.port.data
    settings.smtp_tls, settings.smtp_user = TlsMode(form.tls.data), form.user.data or None
    settings.smtp_password = _secret(form.password.data, form.clear_password.data, settings.smtp_password)
    settings.smtp_sender = form.sender.data
    return _saved(form)


@bp.post("/channels/sms")
@organiser_required
def save_sms():
    form = SmsForm()
    settings = ChannelSettings.editable()
    if not form.validate_on_submit() or not _secret_given(form, settings):
        return _page(sms=form, status=422)
    settings.sms_access_key_id = form.access_key_id.data
    settings.sms_access_key_secret = form.access_key_secret.data or settings.sms_access_key_secret
    settings.sms_endpoint, settings.sms_sign_name = form.endpoint.data or None, form.sign_name.data
    settings.sms_test_mobile = form.test_mobile.data or None
    settings.sms_templates = {kind.value: form[kind.value].data for kind in SmsKind if form[kind.value].data}
    return _saved(form)


@bp.get("/channels/tests")
@organiser_required
def tests_fragment():
    """The latest tests, for the page's poll: 286 (htmx stops polling) once none is waiting."""
    tests = _latest_tests()
    polling = any(t.state is MessageState.pending for t in tests)
    html = render_block("notifications/channels.html", "tests", tests=tests, names=_names(), polling=polling)
    return html, 200 if polling else 286


def _secret_given(form: SmsForm, settings: ChannelSettings) -> bool:
    """The SMS key's secret is needed once; afterwards an empty field keeps the stored one."""
    if form.access_key_secret.data or settings.sms_access_key_secret:
        return True
    form.access_key_secret.errors = [_("请填写 AccessKey Secret")]
    return False


def _secret(typed: str | None, clear: bool, stored: str | None) -> str | None:
    """A write-only field: what was typed, else the stored value, unless its box says remove."""
    if clear and not typed:
        return None
    return typed or stored


def _joined(text: str | None) -> str | None:
    return ", ".join(addresses(text)) or None


def _saved(form):
    """Saved; and the test its button asked for written to the outbox, or why it cannot be."""
    db.session.flush()
    target = request.form.get("send_test")
    if not target:
        flash(_l("已保存。"))
        return redirect(url_for(".channels_page"), 303)
    problem = _test_problem(target)
    if problem:  # the settings stand (a 200 commits them); the test is refused beside the form
        flash(_l("已保存，但没有发送测试：%(why)s", why=problem), "error")
        return _page(**{_form_name(form): form}, status=200)
    _enqueue_test(target)
    flash(_l("已保存，测试消息已交给后台发送，结果几秒后显示在“最近的测试”中。"))
    return redirect(url_for(".channels_page", _anchor="tests"), 303)


def _form_name(form) -> str:
    return {SmtpForm: "smtp", SmsForm: "sms"}.get(type(form), "addresses")


def _parse_target(target: str) -> tuple[Channel, Audience, int | None] | None:
    """A test button's value: "wecom:organisers", "email:12" (department 12), "sms:organisers"."""
    channel, _sep, who = target.partition(":")
    if channel not in {c.value for c in Channel}:
        return None
    if who == "organisers":
        return Channel(channel), Audience.organisers, None
    if who.isdigit() and channel != Channel.sms.value and db.session.get(Department, int(who)):
        return Channel(channel), Audience.department, int(who)
    return None


def _test_problem(target: str) -> str | None:
    parsed = _parse_target(target)
    if parsed is None:
        return _("不认识这个测试按钮")
    channel, audience, department_id = parsed
    settings = ChannelSettings.current()
    row = db.session.get(DepartmentChannels, department_id) if department_id else None
    robot, emails = (row.robot_url, row.emails) if row else (settings.organisers_robot_url, settings.organisers_emails)
    if audience is Audience.department and row is None:
        robot = emails = None
    if channel is Channel.wecom and not robot:
        return _("还没有填写群机器人地址")
    if channel is Channel.email and not addresses(emails):
        return _("还没有填写收件的电子邮件地址")
    if channel is Channel.email and not settings.smtp_ready:
        return _("还没有配置 SMTP 服务器")
    if channel is Channel.sms and not settings.sms_ready:
        return _("还没有配置短信服务")
    if channel is Channel.sms and not (settings.template_for(SmsKind.test) and settings.sms_test_mobile):
        return _("请先填写测试短信的模板 Code 和接收测试短信的手机号")
    return None


def _enqueue_test(target: str) -> OutboxMessage | None:
    channel, audience, department_id = _parse_target(target)
    who = department_id or "organisers"
    body = TEST_BODY.format(time=local_time(now_aware(), "%Y-%m-%d %H:%M"))  # as the office's clock reads
    return outbox.enqueue(key=f"test:{channel.value}:{who}:{uuid.uuid4().hex[:12]}", kind=SmsKind.test.value,
                          channel=channel, audience=audience, subject=TEST_SUBJECT, body=body,
                          department_id=department_id)


def _departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).order_by(Department.kind, Department.name)))


def _department_rows() -> dict[int, DepartmentChannels]:
    return {row.department_id: row for row in db.session.scalars(sa.select(DepartmentChannels))}


def _names() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Department.id, Department.name)).all())


def _latest_tests() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == SmsKind.test.value)
                                   .order_by(OutboxMessage.id.desc()).limit(SHOWN_TESTS)))


def _page(addresses=None, smtp=None, sms=None, status: int = 200):
    """The page; a form given is shown as typed (with its errors), the others as stored."""
    settings = ChannelSettings.current()
    departments, rows = _departments(), _department_rows()
    if addresses is None:
        addresses = addresses_form([d.id for d in departments])(formdata=None, data={
            "organisers_emails": settings.organisers_emails,
            **{f"emails_{d}": row.emails for d, row in rows.items()}})
    if smtp is None:
        smtp = SmtpForm(formdata=None, data={
            "host": settings.smtp_host, "port": settings.smtp_port, "tls": settings.smtp_tls.value,
            "user": settings.smtp_user, "sender": settings.smtp_sender})
    if sms is None:
        sms = SmsForm(formdata=None, data={
            "access_key_id": settings.sms_access_key_id, "endpoint": settings.sms_endpoint,
            "sign_name": settings.sms_sign_name, "test_mobile": settings.sms_test_mobile,
            **(settings.sms_templates or {})})
    tests = _latest_tests()
    return render_template(
        "notifications/channels.html", settings=settings, departments=departments, rows=rows,
        addresses=addresses, smtp=smtp, sms=sms, tests=tests, names=_names(), mask=mask, kinds=list(SmsKind),
        polling=any(t.state is MessageState.pending for t in tests)), status
