"""Forms of the staff-account, new-community and invitation pages, and of the phone check every
SMS sign-in goes through (web's sign-in page, channels' WeChat binding): shapes only, rules in
linli.accounts.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.services.staff import SignIn
from linli.core.roles import Role
from linli.core.text import Form

USERNAME_HELP = _("3到40位小写字母、数字或 . _ -，用于密码登录")


class StaffAccountForm(forms.Form):
    username = forms.CharField(label=_("登录名"), max_length=40, help_text=USERNAME_HELP)
    display_name = forms.CharField(label=_("姓名"), max_length=60)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False, help_text=_("短信登录必填"))
    sign_in = forms.ChoiceField(
        label=_("登录方式"), choices=SignIn.choices, initial=SignIn.INVITE, widget=forms.RadioSelect
    )
    roles = forms.MultipleChoiceField(
        label=_("岗位"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    building = forms.TypedChoiceField(
        label=_("限定楼栋"), coerce=int, required=False, empty_value=None, help_text=_("不选则为全社区")
    )
    grid = forms.TypedChoiceField(
        label=_("限定网格"), coerce=int, required=False, empty_value=None, help_text=_("网格员选择其网格")
    )

    def __init__(self, *args, roles, buildings, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, Role(r).label) for r in roles]
        self.fields["building"].choices = [("", _("全社区")), *((b.pk, b.name) for b in buildings)]
        self.fields["grid"].choices = [("", _("不限")), *((g.pk, g.name) for g in grids)]

    def clean(self):
        data = super().clean()
        if data.get("building") and data.get("grid"):
            raise forms.ValidationError(_("楼栋和网格只能选一个"))
        return data


class NewCommunityForm(forms.Form):
    name = forms.CharField(label=_("社区名称"), max_length=100)
    code = forms.SlugField(
        label=_("社区编码"), max_length=40, help_text=_("小写字母、数字和 -，例如 xingfuli")
    )
    city = forms.CharField(label=_("市"), max_length=30, required=False)
    district = forms.CharField(label=_("区"), max_length=30, required=False)
    street = forms.CharField(label=_("街道"), max_length=60, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    admin_username = forms.CharField(label=_("管理员登录名"), max_length=40, help_text=USERNAME_HELP)
    admin_name = forms.CharField(label=_("管理员姓名"), max_length=60)
    admin_phone = forms.CharField(label=_("管理员手机号"), max_length=20, required=False)
    admin_sign_in = forms.ChoiceField(
        label=_("管理员登录方式"), choices=SignIn.choices, initial=SignIn.INVITE, widget=forms.RadioSelect
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=256)
    password2 = forms.CharField(label=_("再次输入"), widget=forms.PasswordInput, max_length=256)

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class PhoneForm(Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class SmsCodeForm(PhoneForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
