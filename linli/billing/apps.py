from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "linli.billing"
    label = "billing"
    verbose_name = "缴费"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

        # The console's 收费 domain, after 门禁与访客 (20); entries by area: setup 10s, money 30s,
        # pay 50s, counter 70s.
        register_nav_group("billing", _("收费"), weight=30)
        entries = [
            (10, _("收费设置"), "setup_items", "billing_setup", Action.BILLING_SETUP),
            (11, _("抄表读数"), "setup_readings", "billing_readings", Action.BILLING_SETUP),
            (30, _("减免审批"), "money_waivers", "billing_waivers", Action.BILLING_VIEW),
            (31, _("押金"), "money_deposits", "billing_deposits", Action.BILLING_VIEW),
            (32, _("一次性收费"), "money_charges", "billing_charges", Action.BILLING_VIEW),
            (33, _("滞纳金规则"), "money_late_fees", "billing_late_fees", Action.BILLING_VIEW),
            (50, _("收款记录"), "console_payments", "billing_payments", Action.BILLING_VIEW),
            (51, _("退款"), "console_refunds", "billing_refunds", Action.BILLING_VIEW),
            (52, _("对账"), "console_reconcile", "billing_reconcile", Action.BILLING_APPROVE),
            (70, _("柜台收费"), "counter", "billing_counter", Action.BILLING_COLLECT),
            (71, _("收银日结"), "desk", "billing_desk", Action.BILLING_COLLECT),
            (72, _("欠费统计"), "arrears", "billing_arrears", Action.BILLING_VIEW),
            (73, _("收缴率"), "reports", "billing_reports", Action.BILLING_VIEW),
        ]
        for weight, label, url_name, key, action in entries:
            register_nav("billing", label, f"billing:{url_name}", key=key, weight=weight, action=action)

        for card in (
            # Paying comes right after opening the door on the resident's services page.
            HomeCard("billing_pay", _("缴费"), "yen", 15, "billing:home", needs_home=True, tile="pay"),
            HomeCard("billing_receipts", _("我的收据"), "yen", 70, "billing:my_receipts", needs_home=True),
            HomeCard("billing_statement", _("对账单"), "yen", 71, "billing:my_statement", needs_home=True),
            HomeCard(
                "billing_prepaid", _("预存余额"), "yen", 85, "billing:money_my_prepaid", needs_home=True
            ),
        ):
            register_home_card(card)

        # The console home: what the counter collects, and the manager's collection this month.
        from linli.billing import queries
        from linli.core.shell.nav import register_home_figure

        register_home_figure(
            "billing_unpaid",
            _("未缴账单"),
            queries.unpaid_bills,
            action=Action.BILLING_COLLECT,
            url_name="billing:counter",
            weight=20,
            topics=("billing.collected",),
        )
        register_home_figure(
            "billing_collection",
            _("本月收缴率"),
            queries.collection_rate_this_month,
            action=Action.BILLING_SETUP,
            url_name="billing:reports",
            weight=50,
            topics=("billing.collected",),
        )
