"""The forms of supervision's pages: a supervision notice (督办单) as an organiser issues it and a
department's reply on one of its items; the parking and handover forms follow, each part's at the
end of the file."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from kiosk.core.formtools import strip_long
from kiosk.core.steps import ActionForm
from kiosk.core.timeutil import fair_today
from kiosk.service_requests.after_fair import PARK_CAUSE_LABELS, ParkCause
from kiosk.supervision.parking import latest_review

#: the longest text a notice or a reply takes
NOTICE_TEXT_MAX = 2000
#: the latest reply-by date a notice may set, in days from today: a notice asks for a reply soon
REPLY_BY_MAX_DAYS = 90


class NoticeForm(FlaskForm):
    """督办单: the reply-by date and the organisers' words. The items are ticked on the same page
    (item ids with the version each showed: kiosk.supervision.notice_views reads them)."""
    reply_by = DateField(_l("回复期限"), validators=[InputRequired(_l("请填写回复期限"))])
    text = TextAreaField(_l("督办意见"), filters=[strip_long], validators=[
        DataRequired(_l("请写明督办意见")),
        Length(max=NOTICE_TEXT_MAX, message=_l("最多%(max)d字", max=NOTICE_TEXT_MAX))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # WTForms' own message for a date it cannot read is English only.
        self.reply_by.process_errors = [_l("请按 年-月-日 填写日期") for _ in self.reply_by.process_errors]

    def validate_reply_by(self, field):
        if field.data is None:
            return
        today = fair_today()
        if field.data < today:
            raise ValidationError(_l("回复期限不能早于今天"))
        if (field.data - today).days > REPLY_BY_MAX_DAYS:
            raise ValidationError(_l("回复期限不能晚于%(days)d天之后", days=REPLY_BY_MAX_DAYS))


class ReplyForm(ActionForm):
    """回复督办: the department's answer on one item of a notice (the version is the notice item's)."""
    text = TextAreaField(_l("回复内容"), filters=[strip_long], validators=[
        DataRequired(_l("请写明办理情况和下一步安排")),
        Length(max=NOTICE_TEXT_MAX, message=_l("最多%(max)d字", max=NOTICE_TEXT_MAX))])


# --- parking (挂账): the department's ask, an organiser's decision and early resume -----------------

#: the longest explanation, remark or reason a parking takes
PARKING_TEXT_MAX = 1000


def _cause(value):
    """The cause as the radio buttons send it; anything else is no answer."""
    if isinstance(value, ParkCause):
        return value
    return ParkCause(value) if value in ParkCause._value2member_map_ else None


def _parking_text(label, required_message=None):
    needed = [DataRequired(required_message)] if required_message else []
    return TextAreaField(label, filters=[strip_long], validators=[
        *needed, Length(max=PARKING_TEXT_MAX, message=_l("最多%(max)d字", max=PARKING_TEXT_MAX))])


class ParkAskForm(ActionForm):
    """挂账申请: why (a cause from the fixed list, and the explanation) and when to look again."""
    # (validate_choice off: WTForms' own "Not a valid choice" is English only; validate_cause says it)
    cause = RadioField(_l("挂账原因"), coerce=_cause, validate_choice=False,
                       choices=[SelectChoice(cause.value, label) for cause, label in PARK_CAUSE_LABELS.items()])
    explanation = _parking_text(_l("情况说明"), _l("请写明目前不能办结的具体情况"))
    review_on = DateField(_l("复核日期"), validators=[InputRequired(_l("请填写复核日期"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # WTForms' own message for a date it cannot read is English only.
        self.review_on.process_errors = [_l("请按 年-月-日 填写日期") for _ in self.review_on.process_errors]

    def validate_cause(self, field):
        if field.data is None:
            raise ValidationError(_l("请选择挂账原因"))

    def validate_review_on(self, field):
        if field.data is None:
            return
        today = fair_today()
        if field.data <= today:
            raise ValidationError(_l("复核日期必须晚于今天"))
        if field.data > latest_review(today):
            raise ValidationError(_l("复核日期最晚为 %(latest)s", latest=latest_review(today).isoformat()))


class ParkApproveForm(ActionForm):
    note = _parking_text(_l("审批意见（可不填）"))


class ParkRefuseForm(ActionForm):
    reason = _parking_text(_l("不批准的理由"), _l("请写明不批准的理由"))


class ParkResumeForm(ActionForm):
    reason = _parking_text(_l("恢复办理的理由"), _l("请写明提前恢复办理的理由"))
