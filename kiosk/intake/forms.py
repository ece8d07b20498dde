"""The company's request form, used on phones and (for walk-ins) by booth staff."""
import re
import unicodedata
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from kiosk.companies.validation import InvalidCreditCode, normalise_credit_code, normalise_mobile
from kiosk.core.formtools import booth_choices, int_or_none, strip, strip_long
from kiosk.intake import sms_consent
from kiosk.intake.lookup import normal_ticket
from kiosk.intake.service import Intake
from kiosk.service_requests.models import Category

NEED_MAX = 2000
KEY = re.compile(r"[A-Za-z0-9_-]{8,40}")

_AMOUNT_ERROR = _l("金额应为大于0的数字，单位万元")
_CREDIT_CODE_ERRORS = {
    "length": _l("统一社会信用代码应为18位，请核对营业执照"),
    "characters": _l("统一社会信用代码只含数字和大写字母（不含I、O、Z、S、V）"),
    "check": _l("统一社会信用代码校验位不符，请逐位核对营业执照"),
}


#: the largest amount a form takes, in 万元 (a trillion yuan: far above any real request)
AMOUNT_MAX = Decimal("100000000")


class AmountField(DecimalField):
    """A decimal in 万元 that may be written 1,000 or 1，000; finite and in range, or not a number.

    Decimal reads "sNaN", "inf" and "1e400": a signalling NaN raises on the range check's comparison
    and 1e400 on rounding to two places when the form is shown again (both were 500s), so whatever
    is not a finite amount within AMOUNT_MAX is refused here, before any comparison or rounding."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.replace(",", "").replace("，", "") for v in valuelist])
        if self.data is not None and (not self.data.is_finite() or abs(self.data) > AMOUNT_MAX):
            self.data = None
            raise ValueError(self.invalid_value_message)


class IntakeForm(FlaskForm):
    # Choices are checked by the validate_ methods below, whose messages speak the user's language.
    booth = SelectField(_l("摊位"), coerce=int_or_none, validate_choice=False,
                        validators=[InputRequired(_l("请选择摊位"))])
    company_name = StringField(_l("企业名称"), filters=[strip], validators=[
        DataRequired(_l("请填写企业名称")), Length(max=200, message=_l("企业名称最多200字"))])
    credit_code = StringField(_l("统一社会信用代码"), filters=[strip], validators=[
        DataRequired(_l("请填写统一社会信用代码"))])
    contact_name = StringField(_l("联系人"), filters=[strip], validators=[
        DataRequired(_l("请填写联系人姓名")), Length(max=50, message=_l("联系人姓名最多50字"))])
    mobile = StringField(_l("手机号码"), filters=[strip], validators=[
        DataRequired(_l("请填写手机号码"))])
    category = RadioField(_l("需求类别"), choices=[SelectChoice(c.value, c.label) for c in Category],
                          validate_choice=False,
                          validators=[InputRequired(_l("请选择需求类别"))])
    need = TextAreaField(_l("需求内容"), filters=[strip_long], validators=[
        DataRequired(_l("请写明您的需求")),
        Length(max=NEED_MAX, message=_l("需求内容最多%(max)d字", max=NEED_MAX))])
    project_name = StringField(_l("项目名称（选填）"), filters=[strip], validators=[
        Optional(), Length(max=200, message=_l("项目名称最多200字"))])
    # The parse error is ours: WTForms' own is English (and read from its catalog on every request).
    amount_wan = AmountField(_l("融资金额（万元，选填）"), places=2, invalid_value_message=_AMOUNT_ERROR, validators=[
        Optional(), NumberRange(min=Decimal("0.01"), max=AMOUNT_MAX, message=_AMOUNT_ERROR)])
    #: PIPL: a consent of its own, unticked unless the company ticks it, its purpose said in its label
    sms_consent = BooleanField(sms_consent.LABEL, default=False)
    #: a fresh key per filled form; a retried or doubled POST carries the same one. A key that is not
    #: one of ours (too long, odd characters) is dropped rather than refused: the request still counts.
    #: (hidden fields get an empty label: without one WTForms makes one up, through its own catalog,
    #: which Flask-WTF then reads from disk on every request)
    submission_key = HiddenField("", filters=[lambda v: v if v and KEY.fullmatch(v) else None])

    class Meta:
        # The app's CSRFProtect checks every POST's token before any view (kiosk.core.extensions), and the
        # page carries csrf_token() as every page does. The form's own field would sign a new token
        # on every submission, only to throw it away: a tenth of the work of a phone's submission.
        csrf = False

    def __init__(self, *args, booths=(), **kwargs):
        """booths: the fair's booths (fair_booths rows) the form offers; None where the booth is
        checked as the request is filed (intake.service), and offer() lists them if the form is shown again."""
        super().__init__(*args, **kwargs)
        self.booth.choices = None if booths is None else booth_choices(booths)

    @property
    def offers_booths(self) -> bool:
        return self.booth.choices is not None

    def offer(self, booths) -> None:
        """List these booths (for a form made with booths=None, shown again), and say so beside the
        field if the one chosen is not among them."""
        self.booth.choices = booth_choices(booths)
        if not self.booth.errors and not self._offers(self.booth.data):
            self.booth.errors = [*self.booth.errors, _l("请选择摊位")]

    def _offers(self, booth_id) -> bool:
        return booth_id in {choice.value for choice in self.booth.choices[1:]}

    def validate_booth(self, field):
        if field.data is None or (field.choices is not None and not self._offers(field.data)):
            raise ValidationError(_l("请选择摊位"))

    def validate_category(self, field):
        if field.data not in {c.value for c in Category}:
            raise ValidationError(_l("请选择需求类别"))

    def validate_credit_code(self, field):
        try:
            field.data = normalise_credit_code(field.data)
        except InvalidCreditCode as error:
            raise ValidationError(_CREDIT_CODE_ERRORS[error.reason]) from None

    def validate_mobile(self, field):
        mobile = normalise_mobile(field.data)
        if mobile is None:
            raise ValidationError(_l("请填写11位手机号码"))
        field.data = mobile


def intake_from(form: IntakeForm) -> Intake:
    """What a validated form says, for the intake service."""
    return Intake(booth_id=form.booth.data, company_name=form.company_name.data,
                  credit_code=form.credit_code.data, contact_name=form.contact_name.data,
                  mobile=form.mobile.data, category=Category(form.category.data), need=form.need.data,
                  project_name=form.project_name.data, amount_wan=form.amount_wan.data,
                  submission_key=form.submission_key.data, sms_consent=bool(form.sms_consent.data))


class LookupForm(FlaskForm):
    """A lost tracking link found again: the ticket number and the last 4 digits of the mobile."""
    ticket = StringField(_l("需求编号"), filters=[strip], validators=[DataRequired(_l("请填写需求编号，如 B07-003"))])
    last4 = StringField(_l("手机号码后4位"), filters=[strip], validators=[DataRequired(_l("请填写手机号码后4位"))])

    def validate_ticket(self, field):
        ticket = normal_ticket(field.data)
        if ticket is None:
            raise ValidationError(_l("需求编号应为摊位号加序号，如 B07-003"))
        field.data = ticket

    def validate_last4(self, field):
        digits = unicodedata.normalize("NFKC", field.data or "").replace(" ", "")
        if not (len(digits) == 4 and digits.isascii() and digits.isdigit()):
            raise ValidationError(_l("请填写提交需求时所留手机号码的最后4位数字"))
        field.data = digits
