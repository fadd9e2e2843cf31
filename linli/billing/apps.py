from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "linli.billing"
    label = "billing"
    verbose_name = "缴费"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.shell.nav import register_nav_group

        # The console's 收费 domain, after 门禁与访客 (20). Each area registers its own entries
        # (weights: setup 10s, money 30s, pay 50s, counter 70s).
        register_nav_group("billing", _("收费"), weight=30)
        self._register_counter()

    @staticmethod
    def _register_counter():
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav

        for weight, (label, url_name, key, action) in enumerate(
            [
                (_("柜台收费"), "counter", "billing_counter", Action.BILLING_COLLECT),
                (_("收银日结"), "desk", "billing_desk", Action.BILLING_COLLECT),
                (_("欠费统计"), "arrears", "billing_arrears", Action.BILLING_VIEW),
                (_("收缴率"), "reports", "billing_reports", Action.BILLING_VIEW),
            ]
        ):
            register_nav("billing", label, f"billing:{url_name}", key=key, weight=70 + weight, action=action)
        register_home_card(
            HomeCard("billing_receipts", _("我的收据"), "yen", 70, "billing:my_receipts", needs_home=True)
        )
        register_home_card(
            HomeCard("billing_statement", _("对账单"), "yen", 71, "billing:my_statement", needs_home=True)
        )
