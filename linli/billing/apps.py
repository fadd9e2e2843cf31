from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "linli.billing"
    label = "billing"
    verbose_name = "缴费"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

        # The console's 收费 domain, after 门禁与访客 (20).
        register_nav_group("billing", _("收费"), weight=30)
        # --- money (entries 30–39) ---
        for weight, (label, url_name, key) in enumerate(
            [
                (_("减免审批"), "money_waivers", "billing_waivers"),
                (_("押金"), "money_deposits", "billing_deposits"),
                (_("一次性收费"), "money_charges", "billing_charges"),
                (_("滞纳金规则"), "money_late_fees", "billing_late_fees"),
            ],
            start=30,
        ):
            register_nav(
                "billing", label, f"billing:{url_name}", key=key, weight=weight, action=Action.BILLING_VIEW
            )
        register_home_card(
            HomeCard("billing_prepaid", _("预存余额"), "yen", 85, "billing:money_my_prepaid", needs_home=True)
        )
