"""The organisers' scoreboard forms: the weights, a month's efficiency points, publishing."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kiosk.core.formtools import strip_long


def _weight(label):
    return IntegerField(label, validators=[
        InputRequired(_l("请填写权重")), NumberRange(min=0, max=100, message=_l("每项权重须为0到100之间的整数"))])


class WeightsForm(FlaskForm):
    effect = _weight(_l("比效果"))
    service = _weight(_l("比服务"))
    efficiency = _weight(_l("比效率"))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.effect.data + self.service.data + self.efficiency.data != 100:
            self.efficiency.errors.append(_l("三项权重之和须为100"))
            return False
        return True


class PointsField(DecimalField):
    """0..100 to two decimals, or not a number: "sNaN", "inf" and "1e400" (which Decimal reads) are
    refused here, before any comparison or rounding could raise (as intake's AmountField)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and (not self.data.is_finite() or not 0 <= self.data <= 100
                                      or self.data != self.data.quantize(Decimal("0.01"))):
            self.data = None
            raise ValueError(_POINTS_ERROR)


_POINTS_ERROR = _l("效率分须为0到100之间的数，最多两位小数")


class PointsForm(FlaskForm):
    """One department's efficiency points for the month: each row of the page has its own prefix
    (d<department id>-), and the page's one csrf_token (as BoothEditForm)."""
    class Meta:
        csrf = False

    points = PointsField(_l("效率分"), places=2, invalid_value_message=_POINTS_ERROR, validators=[Optional()])
    note = TextAreaField(_l("依据"), filters=[strip_long], validators=[
        Length(max=1000, message=_l("最多%(max)d字", max=1000))])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.points.data is not None and not self.note.data:
            self.note.errors.append(_l("请写明这项效率分的依据"))
            return False
        return True


class PublishForm(FlaskForm):
    #: required when a period was published before: a correction says why
    reason = TextAreaField(_l("更正原因"), filters=[strip_long], validators=[
        Length(max=500, message=_l("最多%(max)d字", max=500))])
