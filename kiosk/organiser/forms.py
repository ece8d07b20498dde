"""Forms of the organisers' set-up pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from kiosk.core.formtools import int_or_none, strip, strip_long
from kiosk.fairs.models import DepartmentKind
from kiosk.organiser.fair_setup import normalise_code


class FairForm(FlaskForm):
    name = StringField(_l("大集名称"), filters=[strip], validators=[
        DataRequired(_l("请填写大集名称")), Length(max=200, message=_l("最多%(max)d字", max=200))])
    date = DateField(_l("日期"), validators=[InputRequired(_l("请填写日期"))])
    venue = StringField(_l("地点"), filters=[strip], validators=[
        DataRequired(_l("请填写地点")), Length(max=200, message=_l("最多%(max)d字", max=200))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date.process_errors = [_l("请按 年-月-日 填写日期") for _ in self.date.process_errors]


class ZoneForm(FlaskForm):
    name = StringField(_l("专区名称"), filters=[strip], validators=[
        DataRequired(_l("请填写专区名称")), Length(max=100, message=_l("最多%(max)d字", max=100))])


class BoothForm(FlaskForm):
    # Its pattern and uniqueness are the fair's rules (organiser.fair_setup), asked by the view.
    code = StringField(_l("摊位号"), filters=[strip, normalise_code], validators=[DataRequired(_l("请填写摊位号"))])
    department = StringField(_l("部门或机构名称"), filters=[strip], validators=[
        DataRequired(_l("请填写部门或机构名称")), Length(max=200, message=_l("最多%(max)d字", max=200))])
    kind = SelectField(_l("类型"), choices=[SelectChoice(DepartmentKind.department.value, _l("部门")),
                                           SelectChoice(DepartmentKind.bank.value, _l("银行"))])
    zone = SelectField(_l("专区"), coerce=int_or_none, validate_choice=False)


class BoothEditForm(BoothForm):
    """A booth corrected: its code, its department's name and kind, its zone. Each booth's form has
    its own prefix (b<id>-), so that the page's many forms have distinct field ids; its token is the
    page's usual csrf_token, which the app's CSRFProtect checks before any view (a prefixed form
    would look for b<id>-csrf_token)."""
    class Meta:
        csrf = False


class ZoneEditForm(ZoneForm):
    """A zone renamed; prefixed z<id>- as BoothEditForm is, for the same reasons."""
    class Meta:
        csrf = False


class ApplyImportForm(FlaskForm):
    #: the previewed rows, signed (organiser.importing.sealed_plan)
    plan = HiddenField("")


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), filters=[strip_long], validators=[
        DataRequired(_l("请写明原因")), Length(max=500, message=_l("最多%(max)d字", max=500))])


class ImportForm(FlaskForm):
    file = FileField(_l("摊位表（CSV 或 XLSX）"), validators=[
        FileRequired(_l("请选择文件")), FileAllowed(["csv", "xlsx"], _l("只接受 CSV 或 XLSX 文件"))])


class AddressForm(FlaskForm):
    # Checked by the fair's rule (fairs.address.normalise_base_url), asked by the view; empty = the default.
    public_base_url = StringField(_l("海报网址"), filters=[strip])


class CloseForm(FlaskForm):
    """The close's own fields: the handed-over items' reply deadline. Each open request's end is a
    select of its own (end-<id>), read by kiosk.organiser.closing; the second step is the
    confirmation pattern's tick (kiosk.core.confirmations)."""
    due = DateField(_l("会后办理答复时限"), validators=[InputRequired(_l("请填写答复时限"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # WTForms' own message for a date it cannot read is English only.
        self.due.process_errors = [_l("请按 年-月-日 填写答复时限") for _ in self.due.process_errors]
