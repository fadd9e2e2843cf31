"""Forms of the work-order screens. They only parse and validate input; services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.text import Form, NoControlCharacters
from linli.workorders.choices import DispatchMode, Kind, Priority, Stage, TeamKind
from linli.workorders.models import Category, PriceItem, Request, Settings, SlaPolicy, Team

# What a resident can say about the work besides the stars (ux: tap, don't type).
RATING_TAGS = [(t, t) for t in ("准时", "专业", "态度好", "干净整洁", "未解决")]
STARS = [(n, "★" * n) for n in range(5, 0, -1)]


def _input(**attrs):
    return forms.TextInput(attrs={"class": "input", **attrs})


def _select():
    return forms.Select(attrs={"class": "input"})


def _styled(form: forms.Form) -> None:
    """The shell's input look on every text box and select a form renders."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.TextInput | forms.NumberInput | forms.Select):
            field.widget.attrs.setdefault("class", "input")


class ReportForm(Form):
    """A resident's report: what is wrong, where, a photo; plus the category's own questions,
    added as `answer_<key>` fields from its `form_fields`."""

    description = forms.CharField(
        label=_("问题描述"),
        max_length=Request._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"class": "input", "rows": 3, "placeholder": _("例如：厨房水管漏水")}),
    )
    house = forms.TypedChoiceField(label=_("报修房屋"), coerce=int, required=False, empty_value=None)
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    preferred_time = forms.CharField(
        label=_("期望上门时间"),
        max_length=Request._meta.get_field("preferred_time").max_length,
        required=False,
        widget=_input(placeholder=_("例如：今天下午")),
    )

    def __init__(self, *args, category: Category, houses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = [(h.pk, h.label) for h in houses] + [("", _("公共区域"))]
        self.fields["house"].widget.attrs["class"] = "input"
        if houses:
            self.fields["house"].initial = houses[0].pk
        for question in category.form_fields:
            label, required = question.get("label") or question["key"], bool(question.get("required"))
            if question.get("choices"):
                field: forms.Field = forms.ChoiceField(
                    label=label,
                    required=required,
                    choices=[(c, c) for c in question["choices"]],
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(label=label, required=required, max_length=200, widget=_input())
            self.fields[f"answer_{question['key']}"] = field

    @property
    def answer_fields(self):
        return [self[name] for name in self.fields if name.startswith("answer_")]

    def answers(self) -> dict:
        return {
            name.removeprefix("answer_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("answer_") and value
        }


class StaffReportForm(Form):
    """A request the desk enters: for a resident on the phone or at the counter (代报), or of
    their own finding. Where it is: a building and a place (a flat's number is a place too)."""

    category = forms.TypedChoiceField(label=_("类别"), coerce=int)
    description = forms.CharField(
        label=_("问题描述"),
        max_length=Request._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"class": "input", "rows": 3}),
    )
    priority = forms.ChoiceField(
        label=_("优先级"), choices=[("", _("按类别默认")), *Priority.choices], required=False
    )
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int, required=False, empty_value=None)
    place = forms.CharField(
        label=_("位置说明"), max_length=Request._meta.get_field("place").max_length, required=False
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.RegexField(label=_("联系电话"), regex=r"^[0-9+\-]*$", max_length=20, required=False)

    def __init__(self, *args, categories=(), buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]
        self.fields["building"].choices = [("", _("公共区域")), *((b.pk, b.name) for b in buildings)]
        _styled(self)


class ActionForm(Form):
    """One move of the state machine from a page: the action, its reason, whom it goes to."""

    action = forms.CharField(max_length=30)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)
    handler = forms.IntegerField(required=False)
    team = forms.IntegerField(required=False)


class RatingForm(Form):
    rating = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=STARS, widget=forms.RadioSelect, initial=5
    )
    tags = forms.MultipleChoiceField(
        label=_("评价标签"), choices=RATING_TAGS, required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("留言"), max_length=Request._meta.get_field("rating_comment").max_length, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class PhotoForm(Form):
    stage = forms.ChoiceField(
        label=_("阶段"), choices=[(Stage.BEFORE, Stage.BEFORE.label), (Stage.AFTER, Stage.AFTER.label)]
    )
    photo = forms.FileField(
        label=_("照片"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class ChargeForm(Form):
    price_item = forms.TypedChoiceField(label=_("材料/人工"), coerce=int)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=99, initial=1)

    def __init__(self, *args, prices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_item"].choices = [
            (p.pk, f"{p.name}（{p.price_fen / 100:.2f}元/{p.unit}）") for p in prices
        ]
        _styled(self)


class CategoryForm(NoControlCharacters, forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "name",
            "code",
            "kind",
            "description",
            "skill",
            "default_team",
            "default_priority",
            "public",
        ]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices
        self.fields["default_team"].queryset = teams if teams is not None else Team.objects.none()
        _styled(self)


class SlaForm(NoControlCharacters, forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["respond_minutes", "resolve_minutes", "working_time_only"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class TeamForm(Form):
    name = forms.CharField(label=_("班组/部门"), max_length=Team._meta.get_field("name").max_length)
    kind = forms.ChoiceField(label=_("类型"), choices=TeamKind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class HandlerForm(Form):
    team = forms.TypedChoiceField(label=_("班组"), coerce=int)
    user = forms.TypedChoiceField(label=_("工作人员"), coerce=int)
    skills = forms.CharField(
        label=_("技能"),
        max_length=200,
        required=False,
        help_text=_("多个技能用逗号分隔，例如 plumbing,electric"),
    )

    def __init__(self, *args, teams=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        self.fields["user"].choices = [(u.pk, u.display_name or u.username) for u in users]
        _styled(self)

    def skill_list(self) -> list[str]:
        return self.cleaned_data["skills"].replace("，", ",").split(",")


class PriceForm(NoControlCharacters, forms.ModelForm):
    class Meta:
        model = PriceItem
        fields = ["name", "unit", "price_fen"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class SettingsForm(NoControlCharacters, forms.ModelForm):
    class Meta:
        model = Settings
        # Working hours stay read-only here: the audit of a change cannot record a time of day yet
        # (core.audit serialises dates and datetimes only), so the service refuses them.
        fields = ["dispatch_mode", "reopen_days", "auto_close_days", "remind_before_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispatch_mode"].choices = DispatchMode.choices
        _styled(self)
