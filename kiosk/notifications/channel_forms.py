"""The channels page's forms: where each audience's messages go (the organisers' and every
department's robot and e-mail, in one table), the SMTP server, the SMS provider. A secret field
(a robot's URL, the SMTP password, the SMS key's secret) is write-only: shown empty with the
stored one masked beside it; left empty it keeps the stored one, and its "remove" box clears it."""
import ipaddress
import re
import urllib.parse

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from kiosk.core.formtools import strip
from kiosk.notifications.channel_models import SmsKind, TlsMode, addresses

#: a WeCom group robot's webhook, as WeCom hands it out
ROBOT_PREFIX = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
#: one e-mail address: enough to catch a typo (a missing @ or domain), not RFC 5322 in full
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")


def is_loopback(url: str) -> bool:
    """Plain http is allowed only to this machine: the demo's fake sink, or a test's. Anywhere
    else it would carry a robot's key, or the SMS provider's signed request, in the clear."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_robot_url(url: str) -> None:
    if url.startswith("http://") and is_loopback(url):
        return
    if not url.startswith(ROBOT_PREFIX) or len(url) <= len(ROBOT_PREFIX) or " " in url:
        raise ValidationError(_l("请粘贴企业微信群机器人的完整 Webhook 地址，以 %(prefix)s 开头", prefix=ROBOT_PREFIX))


def check_addresses(text: str) -> None:
    wrong = [a for a in addresses(text) if not EMAIL.match(a)]
    if wrong:
        raise ValidationError(_l("这不是有效的电子邮件地址：%(address)s", address=wrong[0]))


def robot_validator(form, field):
    if field.data:
        check_robot_url(field.data)


def addresses_validator(form, field):
    if field.data:
        check_addresses(field.data)


def robot_field():
    return StringField(_l("群机器人 Webhook 地址"), filters=[strip], validators=[Length(max=500), robot_validator])


def emails_field():
    return StringField(_l("电子邮件地址"), filters=[strip], validators=[
        Length(max=1000, message=_l("最多%(max)d字", max=1000)), addresses_validator])


def addresses_form(department_ids: list[int]) -> type[FlaskForm]:
    """A form with the organisers' robot and e-mail, and a robot, e-mail and "remove robot" box for
    each department (fields robot_<id>, emails_<id>, clear_<id>)."""
    class AddressesForm(FlaskForm):
        organisers_robot = robot_field()
        organisers_emails = emails_field()
        clear_organisers = BooleanField(_l("删除已保存的机器人地址"))

    for department_id in department_ids:
        setattr(AddressesForm, f"robot_{department_id}", robot_field())
        setattr(AddressesForm, f"emails_{department_id}", emails_field())
        setattr(AddressesForm, f"clear_{department_id}", BooleanField(_l("删除已保存的机器人地址")))
    return AddressesForm


class SmtpForm(FlaskForm):
    host = StringField(_l("SMTP 服务器"), filters=[strip], validators=[
        InputRequired(_l("请填写 SMTP 服务器地址，例如 smtp.example.gov.cn")), Length(max=200),
        Regexp(HOSTNAME, message=_l("服务器地址只能有字母、数字、点和连字符，例如 smtp.example.gov.cn"))])
    port = IntegerField(_l("端口"), validators=[
        InputRequired(_l("请填写端口（1 到 65535 之间的整数）")),
        NumberRange(min=1, max=65535, message=_l("端口应是 1 到 65535 之间的整数"))])
    tls = SelectField(_l("加密方式"), choices=[SelectChoice(m.value, m.label) for m in TlsMode],
                      default=TlsMode.starttls.value)
    user = StringField(_l("用户名"), filters=[strip], validators=[Optional(), Length(max=200)])
    #: write-only: never written back into the page, not even after a mistake elsewhere
    password = PasswordField(_l("密码"), validators=[Optional(), Length(max=200)])
    clear_password = BooleanField(_l("删除已保存的密码"))
    sender = StringField(_l("发件人地址"), filters=[strip], validators=[
        InputRequired(_l("请填写发件人地址")), Length(max=200), Regexp(EMAIL, message=_l("这不是有效的电子邮件地址"))])

    def validate_tls(self, field):
        if field.data not in {m.value for m in TlsMode}:
            raise ValidationError(_l("请选择加密方式"))


def template_field(kind: SmsKind):
    return StringField(kind.label, filters=[strip], validators=[
        Optional(), Length(max=40), Regexp(r"^SMS_\d+$", message=_l("模板 Code 形如 SMS_123456789"))])


class SmsForm(FlaskForm):
    access_key_id = StringField(_l("AccessKey ID"), filters=[strip], validators=[
        InputRequired(_l("请填写 AccessKey ID")), Length(max=100),
        Regexp(r"^[A-Za-z0-9]+$", message=_l("AccessKey ID 只有字母和数字"))])
    access_key_secret = PasswordField(_l("AccessKey Secret"), validators=[Optional(), Length(max=200)])
    endpoint = StringField(_l("接口地址"), filters=[strip], validators=[Optional(), Length(max=300)])
    sign_name = StringField(_l("短信签名"), filters=[strip], validators=[
        InputRequired(_l("请填写服务商审核通过的短信签名")), Length(max=50, message=_l("最多%(max)d字", max=50))])
    test_mobile = StringField(_l("接收测试短信的手机号"), filters=[strip], validators=[
        Optional(), Regexp(r"^1[3-9]\d{9}$", message=_l("请填写11位手机号"))])
    plan_given = template_field(SmsKind.plan_given)
    extension_approved = template_field(SmsKind.extension_approved)
    done_awaiting_confirmation = template_field(SmsKind.done_awaiting_confirmation)
    closed_out = template_field(SmsKind.closed_out)
    test = template_field(SmsKind.test)

    def validate_endpoint(self, field):
        url = field.data or ""
        if url and not (url.startswith("https://") or (url.startswith("http://") and is_loopback(url))):
            raise ValidationError(_l("接口地址应以 https:// 开头（只有本机地址可以用 http://）"))
        if url and not urllib.parse.urlsplit(url).hostname:
            raise ValidationError(_l("接口地址不完整"))
