from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "linli.workorders"
    label = "workorders"
    verbose_name = "工单"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

        # The console's 工单 domain, after 收费 (30): the desk's boards first, then the
        # technician's queue, the report, and the setup pages.
        register_nav_group("workorders", _("工单"), weight=40)
        entries = [
            (10, _("派单台"), "dispatch", "workorders_dispatch", Action.WORKORDER_VIEW),
            (20, _("时限看板"), "sla", "workorders_sla", Action.WORKORDER_VIEW),
            (30, _("我的工单"), "tech_home", "workorders_mine", Action.WORKORDER_HANDLE),
            (40, _("绩效报表"), "performance", "workorders_performance", Action.WORKORDER_DISPATCH),
            (45, _("网格统计"), "grids", "workorders_grids", Action.STATS_VIEW),
            (46, _("网格地图"), "map", "workorders_map", Action.WORKORDER_VIEW),
            (50, _("巡检"), "patrols", "workorders_patrols", Action.WORKORDER_VIEW),
            (60, _("类别与时限"), "categories", "workorders_categories", Action.WORKORDER_VIEW),
            (61, _("班组与处理人"), "teams", "workorders_teams", Action.WORKORDER_VIEW),
            (62, _("价目表"), "prices", "workorders_prices", Action.WORKORDER_VIEW),
            (63, _("工单设置"), "settings", "workorders_settings", Action.WORKORDER_SETUP),
        ]
        for weight, label, url_name, key, action in entries:
            register_nav("workorders", label, f"workorders:{url_name}", key=key, weight=weight, action=action)

        # Reporting a problem comes right after opening the door and paying.
        register_home_card(
            HomeCard(
                "workorders_report",
                _("报事报修"),
                "wrench",
                16,
                "workorders:home",
                needs_home=True,
                tile="report",
            )
        )

        # The console home: a handler's queue, and what is overdue for those who dispatch.
        from linli.core.shell.nav import register_home_figure
        from linli.workorders import queries

        register_home_figure(
            "workorders_my_queue",
            _("我的待办工单"),
            queries.my_queue_count,
            action=Action.WORKORDER_HANDLE,
            url_name="workorders:tech_home",
            weight=30,
            topics=("workorders.changed",),
        )
        register_home_figure(
            "workorders_overdue",
            _("超时工单"),
            queries.overdue_count,
            action=Action.WORKORDER_DISPATCH,
            url_name="workorders:sla",
            weight=40,
            topics=("workorders.changed", "workorders.escalated"),
        )
