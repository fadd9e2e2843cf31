"""Edge validation for the registry's screens (the resident's household pages in linli/web and
the console's): shapes and types only; the rules live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.text import Form
from linli.registry.choices import OWNING, EndReason, Relation
from linli.registry.io.columns import KINDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ResidentForm(Form):
    """Register a resident of a house: the landlord's tenant, a family member, or at the counter."""

    relation = forms.ChoiceField(label=_("关系"), choices=Relation.choices)
    name = forms.CharField(label=_("姓名"), max_length=60)
    phone = forms.CharField(
        label=_("手机号"), max_length=20, required=False, help_text=_("登记后对方用此手机号登录")
    )
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    valid_from = forms.DateField(label=_("起始日期"), widget=DateInput())
    valid_to = forms.DateField(
        label=_("截止日期"), widget=DateInput(), required=False, help_text=_("租客必填：租期最后一天")
    )
    hukou_local = forms.BooleanField(
        label=_("本地户籍"), required=False, initial=True, help_text=_("户籍不在本区的为流动人口")
    )

    def __init__(self, *args, relations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if relations is not None:
            self.fields["relation"].choices = [(r.value, r.label) for r in relations]
        self.fields["valid_from"].initial = timezone.localdate()


def relations_a_household_may_register(my_relation: str | None) -> list[Relation]:
    """What the resident's own relation lets them register (mirrors services._check_may_register)."""
    if my_relation in OWNING:
        return [Relation.TENANT, Relation.FAMILY, Relation.CO_OWNER]
    if my_relation == Relation.TENANT:
        return [Relation.FAMILY]
    return []


class CounterResidentForm(ResidentForm):
    """At the counter (代办) staff record whom they are serving."""

    on_behalf = forms.TypedChoiceField(
        label=_("代办对象"), coerce=int, required=False, empty_value=None, help_text=_("来前台办理的住户")
    )

    def __init__(self, *args, household=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_behalf"].choices = [("", _("无（物业登记）"))] + [
            (o.person_id, f"{o.person.name}（{o.get_relation_display()}）") for o in household
        ]


class EndOccupancyForm(Form):
    on = forms.DateField(label=_("结束日期"), widget=DateInput(), help_text=_("这一天之后不再享有住户权限"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class CounterEndForm(EndOccupancyForm):
    reason = forms.ChoiceField(
        label=_("结束原因"), choices=[(r.value, r.label) for r in EndReason if r != EndReason.SPONSOR_ENDED]
    )


class RevealForm(Form):
    PURPOSES = [
        ("counter", _("前台办理业务")),
        ("verify", _("核实身份")),
        ("visit", _("上门服务联系")),
        ("emergency", _("紧急情况联系")),
    ]
    purpose = forms.ChoiceField(label=_("查看原因"), choices=PURPOSES)


class ImportForm(Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=[(name, k.label) for name, k in KINDS.items()])
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
