"""The forms of the ledger: each move's on an item's page (carrying the version the person saw),
the company's verdict on its tracking page, and a reconciliation round's marks."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from kiosk.core.formtools import int_or_none, strip, strip_long
from kiosk.core.steps import ActionForm
from kiosk.ledger import evidence
from kiosk.slips.forms import RATING_CHOICES, _rating_value
from kiosk.slips.models import RATING_LABELS

TEXT_MAX = 2000


def _text(label, required_message, max_length=TEXT_MAX):
    return TextAreaField(label, filters=[strip_long], validators=[
        DataRequired(required_message), Length(max=max_length, message=_l("最多%(max)d字", max=max_length))])


def _line(label, required_message, max_length):
    return StringField(label, filters=[strip], validators=[
        DataRequired(required_message), Length(max=max_length, message=_l("最多%(max)d字", max=max_length))])


class _DueForm:
    """A new due date, readable. How late it may be is the item's (its ceiling past the original due
    date): the move says so, naming the latest date allowed (kiosk.ledger.moves)."""

    def _date_messages(self, field):
        # WTForms' own message for a date it cannot read is English only.
        field.process_errors = [_l("请按 年-月-日 填写日期") for _ in field.process_errors]


class _WithFiles:
    """Evidence files (佐证文件): checked from their bytes as the form is (kiosk.ledger.evidence); a
    file refused is named beside the field, and what was typed in the other fields stays."""
    files = MultipleFileField(_l("佐证文件"))
    max_files, max_mb = evidence.MAX_FILES, evidence.MAX_FILE_BYTES // 2**20
    #: the files as checked, for the move to keep
    checked: list = ()

    def validate_files(self, field):
        try:
            self.checked = evidence.check(field.data)
        except evidence.EvidenceRefused as refused:
            raise ValidationError(refused.message) from None


class ProgressForm(_WithFiles, ActionForm):
    text = _text(_l("办理进展"), _l("请写明办理进展"))


class ExtendForm(_DueForm, ActionForm):
    """A department's request for a later due date, or an organiser's own extension."""
    new_due = DateField(_l("新的完成时限"), validators=[InputRequired(_l("请填写新的完成时限"))])
    reason = _text(_l("延期原因"), _l("请写明延期原因"), 500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._date_messages(self.new_due)


class ApproveExtensionForm(ActionForm):
    pass


class RefuseExtensionForm(ActionForm):
    reason = _text(_l("不予批准的原因"), _l("请写明不予批准的原因，部门会看到"), 500)


class ReassignForm(ActionForm):
    unit = _line(_l("新的责任单位"), _l("请填写责任单位"), 200)
    person = _line(_l("新的责任人"), _l("请填写责任人"), 100)
    reason = _text(_l("变更原因"), _l("请写明变更原因"), 500)


class FinishForm(_WithFiles, ActionForm):
    result = _text(_l("办理结果"), _l("请写明办理结果"))
    evidence = TextAreaField(_l("佐证材料"), filters=[strip_long], validators=[
        DataRequired(_l("请写明佐证材料（批复文号、现场核验等）")),
        Length(max=1000, message=_l("最多%(max)d字", max=1000))])


class ConfirmForm(ActionForm):
    pass


class SendBackForm(ActionForm):
    reason = _text(_l("退回原因"), _l("请写明退回原因"), 500)


class VerdictForm(FlaskForm):
    """The company's one word on a close-out: confirm or dispute, with a rating either way."""
    accepted = RadioField(_l("办理结果"), choices=[SelectChoice("yes", _l("确认已解决")),
                                                SelectChoice("no", _l("有异议，未解决"))],
                          validate_choice=False, validators=[InputRequired(_l("请选择确认或提出异议"))])
    rating = RadioField(_l("满意度"), coerce=_rating_value, choices=RATING_CHOICES, validate_choice=False,
                        validators=[InputRequired(_l("请选择评价等级"))])
    words = TextAreaField(_l("意见"), filters=[strip_long], validators=[
        Optional(), Length(max=500, message=_l("最多%(max)d字", max=500))])

    def validate_accepted(self, field):
        if field.data not in ("yes", "no"):
            raise ValidationError(_l("请选择确认或提出异议"))

    def validate_rating(self, field):
        if field.data not in RATING_LABELS:
            raise ValidationError(_l("请选择评价等级"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # (Optional() ends the words' own chain when they are empty: the rule that needs them is here.)
        if self.accepted.data == "no" and not self.words.data:
            self.words.errors = [*self.words.errors, _l("提出异议时，请写明哪里没有办好。")]
            valid = False
        return valid


#: a reconciliation round's marks
MARKS = {"closed_out": _l("销号"), "extended": _l("延期"), "open": _l("仍在办理")}


class MarkForm(FlaskForm):
    """One mark for the items ticked (in bulk where they agree) or for one item."""
    items = SelectMultipleField(_l("事项"), coerce=int_or_none, validate_choice=False)
    mark = SelectField(_l("对账结果"), choices=[SelectChoice(k, v) for k, v in MARKS.items()],
                       validators=[InputRequired()])
    new_due = DateField(_l("新的完成时限"), validators=[Optional()])
    note = _text(_l("对账说明"), _l("请写明对账说明"), 500)
    #: the round's own version: two organisers marking at once do not overwrite each other
    version = HiddenField("", filters=[int_or_none], validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_due.process_errors = [_l("请按 年-月-日 填写日期") for _ in self.new_due.process_errors]

    def validate_items(self, field):
        if not field.data or None in field.data:
            raise ValidationError(_l("请至少勾选一项"))

    def validate_new_due(self, field):
        if self.mark.data == "extended" and field.data is None:
            raise ValidationError(_l("延期时请填写新的完成时限"))
