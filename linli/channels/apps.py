from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "linli.channels"
    label = "channels"
    verbose_name = _("消息渠道")

    def ready(self):
        # Registration into the lower layers, which import nothing of this app.
        from linli.channels.services import erase_wechat_of
        from linli.channels.wechat_channel import WeChatChannel
        from linli.notify.services.channels import register
        from linli.registry.erasure import register_eraser

        register(WeChatChannel())
        register_eraser(erase_wechat_of)
