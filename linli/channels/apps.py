from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "linli.channels"
    label = "channels"
    verbose_name = _("消息渠道")

    def ready(self):
        from linli.channels.staffchat import StaffChatChannel
        from linli.notify.services.channels import register

        register(StaffChatChannel())
