"""The forms behind each action on a request's page. Each carries the version the person saw."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from kiosk.core.formtools import int_or_none, strip, strip_long
from kiosk.core.steps import ActionForm
from kiosk.core.timeutil import fair_today
from kiosk.service_requests.after_fair import due_ceiling

TEXT_MAX = 2000


def _text(label, required_message, max_length=TEXT_MAX):
    return TextAreaField(label, filters=[strip_long], validators=[
        DataRequired(required_message),
        Length(max=max_length, message=_l("最多%(max)d字", max=max_length))])


class TakeForm(ActionForm):
    pass


class ResolveForm(ActionForm):
    resolution = _text(_l("办理情况"), _l("请写明现场办理的情况"))


class PlanForm(ActionForm):
    plan_text = _text(_l("解决方案"), _l("请写明解决方案"))
    unit = StringField(_l("责任单位"), filters=[strip], validators=[
        DataRequired(_l("请填写责任单位")), Length(max=200, message=_l("最多%(max)d字", max=200))])
    person = StringField(_l("责任人"), filters=[strip], validators=[
        DataRequired(_l("请填写责任人")), Length(max=100, message=_l("最多%(max)d字", max=100))])
    due = DateField(_l("完成时限"), validators=[InputRequired(_l("请填写完成时限"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # WTForms' own message for a date it cannot read is English only.
        self.due.process_errors = [_l("请按 年-月-日 填写完成时限") for _ in self.due.process_errors]

    def validate_due(self, field):
        # A plan is followed up quarter by quarter: a date far off is a typo (9999-12-31 was saved
        # once), and it would keep the item off every overdue list for good. The same ceiling as an
        # extension's (EXTENSION_CEILING_DAYS), from the fair day.
        latest = due_ceiling(fair_today())
        if field.data is not None and field.data > latest:
            raise ValidationError(_l("完成时限最晚为 %(latest)s（大集当天起 %(days)d 天内）",
                                     latest=latest.isoformat(), days=(latest - fair_today()).days))


class TransferForm(ActionForm):
    to_booth = SelectField(_l("转至摊位"), coerce=int_or_none, validate_choice=False)
    reason = _text(_l("转办原因"), _l("请写明转办原因"), 500)

    def validate_to_booth(self, field):
        if field.data not in {c.value for c in field.choices[1:]}:
            raise ValidationError(_l("请选择要转至的摊位"))


class JoinForm(ActionForm):
    booths = SelectMultipleField(_l("会商摊位"), coerce=int_or_none, validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    reason = _text(_l("会商事项"), _l("请写明需要会商的事项"), 500)

    def validate_booths(self, field):
        allowed = {c.value for c in field.choices}
        if not field.data or any(b not in allowed for b in field.data):
            raise ValidationError(_l("请至少选择一个会商摊位"))


class ReasonForm(ActionForm):
    reason = _text(_l("原因"), _l("请写明原因"), 500)


class NoteForm(ActionForm):
    text = _text(_l("备注"), _l("请填写备注内容"))
