"""渠道检查: every channel the installation and a community use, whether it is ready and what it
still lacks — names of settings, never their values — on one console page (issue 15, item 6).

Each check is a `Check`; the installation's (SMS gateways, WeChat) come from the settings, the
community's staff channel from its row. A channel nobody configured is reported as such, with
what the platform does instead (the console SMS provider prints; in-app messages always go)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from linli.channels.staff import staff_channel_status
from linli.channels.wechat_config import wechat_status
from linli.notify.sms_gateways import check_configuration as sms_gateways

CONSOLE_SMS = "linli.notify.sms.ConsoleSmsProvider"


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ready: bool
    missing: list[str] = field(default_factory=list)
    note: str = ""


def checks(community_id: int) -> list[Check]:
    return [*_sms(), _wechat(), _staff(community_id)]


def _sms() -> list[Check]:
    found = sms_gateways()
    if found:
        return [
            Check(
                f"sms:{g['name']}",
                _("短信：%(gateway)s") % {"gateway": g["label"]},
                not g["missing"],
                g["missing"],
            )
            for g in found
        ]
    if settings.LINLI_SMS_PROVIDER == CONSOLE_SMS:
        note = _(
            "未配置短信网关：验证码和短信通知只打印在服务器日志中（演示用），正式使用前请配置阿里云或腾讯云短信。"
        )
        return [Check("sms", _("短信"), False, ["LINLI_SMS_GATEWAYS"], note)]
    provider = settings.LINLI_SMS_PROVIDER
    return [Check("sms", _("短信"), True, note=_("自定义短信服务：%(provider)s") % {"provider": provider})]


def _wechat() -> Check:
    status = wechat_status()
    missing = status["missing"] + status["problems"]
    label = _("微信（公众号、小程序）")
    if not status["configured"] and not missing:
        return Check("wechat", label, False, note=_("未启用：居民用短信验证码登录，消息走短信和站内消息。"))
    pay = status["jsapi_pay"]
    note = ""
    if status["official_account"]["app_id"] and not pay["matches_official_account"]:
        note = _("微信支付的 AppID（LINLI_WECHATPAY_APPID）与公众号不同：公众号内不能直接支付。")
    return Check("wechat", label, not missing, missing, note)


def _staff(community_id: int) -> Check:
    status = staff_channel_status(community_id)
    if status["kind"] == "none":
        note = _("未启用：工作消息只发站内消息。")
        return Check("staff", _("工作消息：%(kind)s") % {"kind": status["kind_label"]}, False, [], note)
    return Check(
        "staff", _("工作消息：%(kind)s") % {"kind": status["kind_label"]}, status["ready"], status["missing"]
    )
