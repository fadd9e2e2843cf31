from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "linli.billing"
    label = "billing"
    verbose_name = "缴费"
