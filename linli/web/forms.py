"""Edge validation for the sign-in pages: shapes and types only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.text import Form


class StaffLoginForm(Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)
    totp = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        required=False,
        help_text=_("已开启两步验证时填写"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
