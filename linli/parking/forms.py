"""The console's pass form: the house as 楼栋-单元-房号 and a person living there by name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.parking.choices import PassPeriod


class PassForm(forms.Form):
    house = forms.CharField(label=_("房屋"), max_length=60, help_text=_("如 1号楼-1单元-301"))
    person = forms.CharField(label=_("住户姓名"), max_length=60)
    plate = forms.CharField(label=_("车牌号"), max_length=10)
    period = forms.ChoiceField(label=_("类型"), choices=PassPeriod.choices)
    valid_from = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    fee_yuan = forms.DecimalField(label=_("费用（元）"), min_value=0, max_value=100_000, decimal_places=2)
