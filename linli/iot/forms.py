"""The console's forms of the 物联网 pages: registering a device, importing a sheet of them.
Each only shapes the input; the services check it."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _choices(rows, blank=None) -> list[tuple[str, str]]:
    return ([("", blank)] if blank is not None else []) + [(str(r.pk), r.name) for r in rows]


class DeviceForm(forms.Form):
    code = forms.CharField(label=_("设备编号"), max_length=64, help_text=_("字母、数字、_ 和 -，小区内唯一"))
    name = forms.CharField(label=_("名称"), max_length=60, required=False)
    profile = forms.TypedChoiceField(label=_("设备档案"), coerce=int)
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int, required=False, empty_value=None)
    floor = forms.IntegerField(label=_("楼层"), min_value=-10, max_value=200, required=False)
    place = forms.CharField(label=_("位置"), max_length=100, required=False)

    def __init__(self, *args, profiles, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = _choices(profiles)
        self.fields["building"].choices = _choices(buildings, _("不属于某栋楼"))


class DeviceImportForm(forms.Form):
    file = forms.FileField(label=_("设备表格（.xlsx）"))
