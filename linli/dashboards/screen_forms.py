from django import forms
from django.utils.translation import gettext_lazy as _

from linli.dashboards.services.screens import LABEL_MAX


class ScreenTokenForm(forms.Form):
    label = forms.CharField(
        label=_("大屏名称"), max_length=LABEL_MAX, help_text=_("如：物业中心大厅、街道指挥中心")
    )
    street = forms.BooleanField(
        label=_("街道大屏（本街道各社区汇总）"), required=False, help_text=_("不勾选则为本社区大屏")
    )

    def __init__(self, *args, street_known: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not street_known:
            # A community without a street has no street screen to issue a token for.
            del self.fields["street"]

    def clean_street(self) -> bool:
        return bool(self.cleaned_data.get("street"))
