from django import forms
from django.utils.translation import gettext_lazy as _

from linli.channels.models import StaffChannel, StaffChannelKind
from linli.channels.services.staff_channel import PLAIN, SECRETS

# A secret is never shown back: the box stays empty, and left empty it keeps the one on file.
KEEP = _("已设置；留空则保持不变")
NOT_SET = _("未设置")


def _secret(label) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=200, widget=forms.PasswordInput)


class StaffChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("工作消息渠道"), choices=StaffChannelKind.choices)
    wecom_corp_id = forms.CharField(
        label=_("企业微信 企业ID（CorpID）"),
        required=False,
        max_length=40,
        help_text=_("企业微信管理后台 → 我的企业；留空则用服务器设置 LINLI_WECOM_CORP_ID"),
    )
    wecom_agent_id = forms.CharField(label=_("企业微信 应用AgentId"), required=False, max_length=20)
    wecom_secret = _secret(_("企业微信 应用Secret"))
    dingtalk_robot_token = _secret(_("钉钉机器人 Webhook中的access_token"))
    dingtalk_sign_secret = _secret(_("钉钉机器人 加签密钥"))
    dingtalk_app_key = forms.CharField(label=_("钉钉应用AppKey"), required=False, max_length=64)
    dingtalk_app_secret = _secret(_("钉钉应用AppSecret"))
    dingtalk_agent_id = forms.CharField(label=_("钉钉应用AgentId"), required=False, max_length=20)
    clear = forms.MultipleChoiceField(
        label=_("清除已保存的密钥"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, channel: StaffChannel, **kwargs):
        initial = {"kind": channel.kind, **{name: getattr(channel, name) for name in PLAIN}}
        super().__init__(*args, initial=initial, **kwargs)
        for name in SECRETS:
            self.fields[name].help_text = KEEP if getattr(channel, name) else NOT_SET
        on_file = [(name, self.fields[name].label) for name in SECRETS if getattr(channel, name)]
        if on_file:
            self.fields["clear"].choices = on_file
        else:
            del self.fields["clear"]

    def clean_clear(self) -> tuple[str, ...]:
        return tuple(self.cleaned_data["clear"])
