from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "linli.notify"
    label = "notify"
    verbose_name = "消息"

    def ready(self):
        # Registration into a lower layer, which imports nothing of this app.
        from linli.notify.services.sms_deliveries import erase_sms_deliveries_of
        from linli.registry.erasure import register_eraser

        register_eraser(erase_sms_deliveries_of)
