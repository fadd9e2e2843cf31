from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "linli.channels"
    label = "channels"
    verbose_name = _("消息渠道")

    def ready(self):
        # Registration into the lower layers, which import nothing of this app.
        from linli.channels.services.staff_messages import erase_staff_chat_ids_of
        from linli.channels.services.wechat_binding import erase_wechat_of
        from linli.channels.staffchat import StaffChatChannel
        from linli.channels.wechat_channel import WeChatChannel
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav, register_nav_group
        from linli.notify.services.channels import register
        from linli.registry.erasure import register_eraser

        register(StaffChatChannel())
        register(WeChatChannel())
        register_eraser(erase_wechat_of)
        register_eraser(erase_staff_chat_ids_of)
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
