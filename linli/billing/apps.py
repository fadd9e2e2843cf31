from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "linli.billing"
    label = "billing"
    verbose_name = "缴费"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav, register_nav_group

        # The console's 收费 domain, after 住户与房屋 (10) and 门禁与访客 (20).
        register_nav_group("billing", _("收费"), weight=30)
        register_nav(
            "billing",
            _("收费设置"),
            "billing:setup_items",
            key="billing_setup",
            weight=10,
            action=Action.BILLING_SETUP,
        )
