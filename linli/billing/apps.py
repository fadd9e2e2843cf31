from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "linli.billing"
    label = "billing"
    verbose_name = "缴费"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

        # The console's 收费管理 domain, after 门禁与访客 (20). Entries by area: setup 10s, money
        # 30s, pay 50s, counter 70s.
        register_nav_group("billing", _("收费管理"), weight=30)
        for weight, (label, url_name, key, action) in enumerate(
            [
                (_("收款记录"), "console_payments", "billing_payments", Action.BILLING_VIEW),
                (_("退款"), "console_refunds", "billing_refunds", Action.BILLING_VIEW),
                (_("对账"), "console_reconcile", "billing_reconcile", Action.BILLING_APPROVE),
            ]
        ):
            register_nav("billing", label, f"billing:{url_name}", key=key, weight=50 + weight, action=action)

        # The resident's services page: paying comes right after opening the door.
        register_home_card(
            HomeCard("billing_pay", _("缴费"), "yen", 15, "billing:home", needs_home=True, tile="pay")
        )
