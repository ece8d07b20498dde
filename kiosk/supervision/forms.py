"""The forms of supervision's pages: a supervision notice (督办单) as an organiser issues it and a
department's reply on one of its items; the parking and handover forms follow, each part's at the
end of the file."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from kiosk.core.formtools import strip_long
from kiosk.core.steps import ActionForm
from kiosk.core.timeutil import fair_today

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
