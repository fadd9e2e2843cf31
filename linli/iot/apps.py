from django.apps import AppConfig


class IotConfig(AppConfig):
    name = "linli.iot"
    label = "iot"
    verbose_name = "物联网"
