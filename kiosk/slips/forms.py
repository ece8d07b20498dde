"""The satisfaction slip as a form, and the organiser's record of a follow-up call."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from kiosk.core.formtools import strip, strip_long
from kiosk.slips.models import DIMENSIONS, RATED, RATING_LABELS
from kiosk.slips.service import SlipAnswers

COMMENT_MAX = 500
RATING_CHOICES = [SelectChoice(value, label) for value, label in RATING_LABELS.items()]


def _rating_value(value):
    return int(value) if str(value) in {"1", "2", "3", "4", "5"} else None


def _rating(label):
    return RadioField(label, choices=RATING_CHOICES, coerce=_rating_value, validate_choice=False,
                      validators=[InputRequired(_l("请选择一项评价"))])


class SlipForm(FlaskForm):
    # (an empty label: without one WTForms makes one up through its own catalog, which Flask-WTF
    # then reads from disk, on every tracking page and every submission's answer)
    confirmed = RadioField("", choices=[SelectChoice("yes", _l("是")), SelectChoice("no", _l("否"))],
                           validate_choice=False, validators=[InputRequired(_l("请先回答这个问题"))])
    professionalism = _rating(DIMENSIONS["professionalism"])
    attitude = _rating(DIMENSIONS["attitude"])
    efficiency = _rating(DIMENSIONS["efficiency"])
    problem_solving = _rating(DIMENSIONS["problem_solving"])
    integrity = _rating(DIMENSIONS["integrity"])
    overall = _rating(RATED["overall"])
    comment = TextAreaField(_l("意见和建议（选填）"), filters=[strip_long], validators=[
        Optional(), Length(max=COMMENT_MAX, message=_l("最多%(max)d字", max=COMMENT_MAX))])

    def validate_confirmed(self, field):
        if field.data not in ("yes", "no"):
            raise ValidationError(_l("请先回答这个问题"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self.rating_fields():
            if field.data not in RATING_LABELS and not field.errors:  # sent, but not 1..5
                field.errors.append(_l("请选择一项评价"))
                valid = False
        return valid

    def rating_fields(self):
        return [self[name] for name in RATED]

    def answers(self) -> SlipAnswers:
        return SlipAnswers(confirmed=self.confirmed.data == "yes",
                           ratings={f.name: f.data for f in self.rating_fields()}, comment=self.comment.data)


class PaperSlipForm(SlipForm):
    """A paper slip typed in: the same answers, and the number printed on the paper."""
    paper_number = StringField(_l("纸质测评表编号"), filters=[strip], validators=[
        DataRequired(_l("请填写纸质测评表上的编号")), Length(max=40, message=_l("最多%(max)d字", max=40))])


class ExitSlipModeForm(FlaskForm):
    password = PasswordField(_l("工作人员密码"), validators=[DataRequired(_l("请输入密码"))])


class FollowUpForm(FlaskForm):
    called_at = DateTimeLocalField(_l("回访时间"), validators=[InputRequired(_l("请填写回访时间"))])
    spoke_with = StringField(_l("受访人"), filters=[strip], validators=[
        DataRequired(_l("请填写受访人")), Length(max=100, message=_l("最多%(max)d字", max=100))])
    said = TextAreaField(_l("企业反映"), filters=[strip_long], validators=[
        DataRequired(_l("请记录企业反映的情况")), Length(max=2000, message=_l("最多%(max)d字", max=2000))])
    fixed = TextAreaField(_l("整改情况（选填）"), filters=[strip_long], validators=[
        Optional(), Length(max=2000, message=_l("最多%(max)d字", max=2000))])
    close = BooleanField(_l("回访完成，关闭此标记"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # WTForms' own message for a time it cannot read is English only.
        self.called_at.process_errors = [_l("请按 年-月-日 时:分 填写回访时间") for _ in self.called_at.process_errors]
