from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "linli.channels"
    label = "channels"
    verbose_name = _("消息渠道")

    def ready(self):
        from linli.channels.staffchat import StaffChatChannel
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav, register_nav_group
        from linli.notify.services.channels import register

        register(StaffChatChannel())
        register_nav_group("settings", _("设置"), weight=100)  # after 数据与大屏 (90)
        register_nav(
            "settings",
            _("渠道检查"),
            "channels:checks",
            key="channel_checks",
            weight=10,
            action=Action.CHANNELS_SETUP,
        )
        register_nav(
            "settings",
            _("工作消息渠道"),
            "channels:staff_channel",
            key="staff_channel",
            weight=0,
            action=Action.CHANNELS_SETUP,
        )
