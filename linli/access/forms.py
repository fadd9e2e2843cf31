"""Forms of the access screens. They only parse and validate input; services decide and write."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access.choices import PASS_PRESETS, CareRuleKind, Direction, PassKind, PointKind
from linli.core.text import Form

WEEKDAYS = [
    (1, _("周一")),
    (2, _("周二")),
    (3, _("周三")),
    (4, _("周四")),
    (5, _("周五")),
    (6, _("周六")),
    (7, _("周日")),
]
HOURS = [(1, _("1小时")), (2, _("2小时")), (6, _("6小时")), (12, _("12小时")), (24, _("1天")), (72, _("3天"))]
HELPER_LABELS = [
    ("保姆", _("保姆")),
    ("钟点工", _("钟点工")),
    ("护工", _("护工")),
    ("家教", _("家教")),
    ("其他", _("其他")),
]


def _input(**attrs):
    return forms.TextInput(attrs={"class": "input", **attrs})


class InviteForm(Form):
    house = forms.TypedChoiceField(label=_("邀请到"), coerce=int)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k, PassKind(k).label) for k in (PassKind.VISITOR, PassKind.COURIER, PassKind.DELIVERY)],
        widget=forms.RadioSelect,
        initial=PassKind.VISITOR,
    )
    visitor_name = forms.CharField(
        label=_("访客称呼"), max_length=60, widget=_input(placeholder=_("例如 张阿姨"))
    )
    # Empty means the preset of the pass type (visitor, courier, delivery), which the hint explains.
    hours = forms.TypedChoiceField(
        label=_("有效时长"),
        coerce=int,
        choices=[("", _("按类型默认")), *HOURS],
        required=False,
        empty_value=None,
    )
    max_uses = forms.IntegerField(label=_("可通行次数"), min_value=1, max_value=50, required=False)
    plate = forms.CharField(
        label=_("车牌号"), max_length=20, required=False, widget=_input(placeholder="京A12345")
    )

    def __init__(self, *args, houses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = [(h.pk, h.label) for h in houses]
        self.fields["house"].widget.attrs["class"] = "input"
        self.fields["hours"].widget.attrs["class"] = "input"
        self.fields["max_uses"].widget.attrs["class"] = "input"

    def window(self) -> tuple[datetime, datetime | None, int | None]:
        now = timezone.now()
        hours = self.cleaned_data.get("hours")
        until = now + timedelta(hours=hours) if hours else now + PASS_PRESETS[self.cleaned_data["kind"]][0]
        return now, until, self.cleaned_data.get("max_uses")


class HelperForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=60, widget=_input())
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=_input(inputmode="tel"))
    label = forms.ChoiceField(label=_("身份"), choices=HELPER_LABELS)
    days = forms.TypedMultipleChoiceField(
        label=_("每周哪几天"),
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    start = forms.TimeField(
        label=_("从"), initial=time(8, 0), widget=forms.TimeInput(attrs={"class": "input", "type": "time"})
    )
    end = forms.TimeField(
        label=_("到"), initial=time(18, 0), widget=forms.TimeInput(attrs={"class": "input", "type": "time"})
    )
    until = forms.DateField(
        label=_("授权截止"), required=False, widget=forms.DateInput(attrs={"class": "input", "type": "date"})
    )

    def schedule(self) -> list[dict] | None:
        days = self.cleaned_data.get("days") or []
        if not days:
            return None
        return [
            {
                "days": days,
                "start": self.cleaned_data["start"].strftime("%H:%M"),
                "end": self.cleaned_data["end"].strftime("%H:%M"),
            }
        ]

    def valid_until(self) -> datetime | None:
        until = self.cleaned_data.get("until")
        return timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)) if until else None


class FaceForm(Form):
    photo = forms.FileField(
        label=_("正脸照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "user"})
    )
    consent_by = forms.CharField(label=_("同意人"), max_length=60, widget=_input())
    consent = forms.BooleanField(
        label=_("我已阅读并同意：仅保存加密的人脸特征，不保存照片；可随时删除；也可以只用门卡或密码。")
    )


class PointForm(Form):
    name = forms.CharField(label=_("名称"), max_length=60, widget=_input())
    kind = forms.ChoiceField(label=_("类型"), choices=PointKind.choices)
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int, required=False, empty_value=None)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices, initial=Direction.BOTH)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", "—"), *((b.pk, b.name) for b in buildings)]
        for name in ("kind", "building", "direction"):
            self.fields[name].widget.attrs["class"] = "input"


class TerminalForm(Form):
    point = forms.TypedChoiceField(label=_("门禁点"), coerce=int)
    name = forms.CharField(label=_("终端名称"), max_length=60, required=False, widget=_input())

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(p.pk, p.name) for p in points]
        self.fields["point"].widget.attrs["class"] = "input"


class WalkInForm(Form):
    house = forms.CharField(label=_("到访房屋"), max_length=60, widget=_input(placeholder="1号楼-1单元-301"))
    visitor_name = forms.CharField(label=_("访客姓名"), max_length=60, widget=_input())
    id_number = forms.CharField(label=_("身份证号"), max_length=18, widget=_input(autocomplete="off"))
    visitor_phone = forms.CharField(label=_("手机号"), max_length=20, required=False, widget=_input())
    plate = forms.CharField(label=_("车牌号"), max_length=20, required=False, widget=_input())
    purpose = forms.CharField(label=_("事由"), max_length=100, required=False, widget=_input())
    open_point = forms.TypedChoiceField(label=_("立即开门"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["open_point"].choices = [("", _("不开门")), *((p.pk, p.name) for p in points)]
        self.fields["open_point"].widget.attrs["class"] = "input"


class CareRuleForm(Form):
    person = forms.TypedChoiceField(label=_("关爱对象"), coerce=int)
    kind = forms.ChoiceField(label=_("规则"), choices=CareRuleKind.choices)
    hours = forms.IntegerField(label=_("小时数"), min_value=1, max_value=336, initial=24)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]
        for name in ("person", "kind"):
            self.fields[name].widget.attrs["class"] = "input"
        self.fields["hours"].widget.attrs["class"] = "input"


class SimulateForm(Form):
    """The gate screen's demo box: what a terminal at this point would send."""

    credential = forms.CharField(
        label=_("卡号或二维码内容"), max_length=4000, widget=_input(autocomplete="off")
    )
