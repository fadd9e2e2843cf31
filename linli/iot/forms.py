"""The console's forms of the 物联网 pages: registering a device, importing a sheet of them,
editing a rule, editing an automation. Each only shapes the input; the services check it."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.iot.choices import RunMode, Severity
from linli.iot.rules.spec import LEAVES, OPS


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


class JSONField(forms.CharField):
    """A JSON text area; what it holds is checked by the rule spec or the automation service."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"})

    def __init__(self, *args, kind=dict, **kwargs):
        self.kind = kind
        super().__init__(*args, max_length=20_000, **kwargs)

    def prepare_value(self, value):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return self.kind()
        try:
            found = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("不是有效的 JSON")) from None
        if not isinstance(found, self.kind):
            raise forms.ValidationError(_("应为 JSON 对象") if self.kind is dict else _("应为 JSON 列表"))
        return found


KINDS = (
    ("threshold", _("阈值：超过即告警")),
    ("duration", _("持续：超过一段时间才告警")),
    ("repeat", _("重复：短时间内多次超过")),
    ("rate", _("变化率：每秒变化超过")),
    ("no_data", _("无数据：一段时间没有上报")),
    ("schedule", _("时段：在每周的某些时间")),
    ("json", _("组合条件(JSON)：且/或")),
)
# The structured fields each kind of condition reads: the rule spec's own.
KIND_FIELDS = LEAVES
DAYS = [
    (str(d), label)
    for d, label in enumerate(
        (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")), 1
    )
]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    target = forms.ChoiceField(label=_("适用于"))
    alarm_type = forms.CharField(
        label=_("告警类型"), max_length=40, help_text=_("小写字母、数字和下划线，如 co_high")
    )
    severity = forms.ChoiceField(label=_("级别"), choices=Severity.choices)
    kind = forms.ChoiceField(label=_("条件类型"), choices=KINDS)
    key = forms.CharField(label=_("遥测项"), max_length=40, required=False)
    op = forms.ChoiceField(label=_("比较"), choices=[(o, o) for o in OPS], required=False)
    value = forms.CharField(label=_("值"), max_length=40, required=False, help_text=_("数字，或参数名称"))
    for_s = forms.IntegerField(label=_("持续(秒)"), required=False)
    times = forms.IntegerField(label=_("次数"), required=False)
    per_s = forms.IntegerField(label=_("时间窗(秒)"), required=False)
    days = forms.MultipleChoiceField(
        label=_("星期"), choices=DAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    from_ = forms.CharField(label=_("开始(HH:MM)"), max_length=5, required=False)
    to = forms.CharField(label=_("结束(HH:MM)"), max_length=5, required=False)
    condition = JSONField(
        label=_("组合条件(JSON)"), required=False, help_text=_("条件类型选“组合条件”时使用")
    )
    params = JSONField(label=_("参数默认值(JSON)"), required=False, help_text=_('如 {"co_limit": 50}'))
    actions = JSONField(label=_("动作(JSON)"), kind=list, required=False)
    auto_clear = forms.BooleanField(label=_("条件消失时自动清除"), required=False, initial=True)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets

    def add_prefix(self, field_name):
        # "from" is a Python keyword: the field is from_, the form's input and the spec say "from".
        return super().add_prefix("from" if field_name == "from_" else field_name)

    def document(self) -> dict:
        """The rule document of docs/rules.md, for the rule spec to check."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "alarm_type": data["alarm_type"],
            "severity": data["severity"],
            "condition": self._condition(),
            "params": data["params"],
            "actions": data["actions"],
            "auto_clear": data["auto_clear"],
            "enabled": data["enabled"],
        }

    def _condition(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == "json":
            return data["condition"]
        out: dict = {"type": data["kind"]}
        for name in KIND_FIELDS[data["kind"]]:
            value = data["from_" if name == "from" else name]
            if name == "value":
                value = _number_or_param(value)
            if name == "days":
                value = [int(d) for d in value] or None
            if value is not None:
                out[name] = value
        return out

    @staticmethod
    def initial_of(rule) -> dict:
        """The form's values for a saved rule: a plain condition in the structured fields."""
        condition = rule.condition
        initial = {
            "name": rule.name,
            "alarm_type": rule.alarm_type,
            "severity": rule.severity,
            "params": rule.params,
            "actions": rule.actions,
            "auto_clear": rule.auto_clear,
            "enabled": rule.enabled,
            "condition": condition,
            "kind": condition.get("type", "json") if condition.get("type") in KIND_FIELDS else "json",
        }
        if initial["kind"] != "json":
            for name in KIND_FIELDS[initial["kind"]]:
                value = condition.get(name)
                if name == "value" and isinstance(value, dict):
                    value = value.get("param")
                if name == "days":
                    value = [str(d) for d in value or ()]
                initial["from_" if name == "from" else name] = value
        return initial


def _number_or_param(text: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return {"param": text}


class AutomationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    trigger_kind = forms.ChoiceField(
        label=_("触发"), choices=(("alarm", _("发生某类告警时")), ("at", _("每天定时"))), initial="alarm"
    )
    alarm_type = forms.CharField(label=_("告警类型"), max_length=40, required=False)
    at = forms.CharField(label=_("时间(HH:MM)"), max_length=5, required=False)
    steps = JSONField(
        label=_("步骤(JSON)"),
        kind=list,
        help_text=_(
            '按顺序执行，如 [{"type": "command", "target": "kind:fan", "name": "fan_on"}, {"type": "delay", "seconds": 600}]'
        ),
    )
    mode = forms.ChoiceField(label=_("运行方式"), choices=RunMode.choices, initial=RunMode.SINGLE)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def trigger(self) -> dict:
        data = self.cleaned_data
        if data["trigger_kind"] == "at":
            return {"at": data["at"].strip()}
        return {"alarm_type": data["alarm_type"].strip()}

    @staticmethod
    def initial_of(automation) -> dict:
        trigger = automation.trigger
        return {
            "name": automation.name,
            "trigger_kind": "at" if "at" in trigger else "alarm",
            "alarm_type": trigger.get("alarm_type", ""),
            "at": trigger.get("at", ""),
            "steps": automation.steps,
            "mode": automation.mode,
            "enabled": automation.enabled,
        }
