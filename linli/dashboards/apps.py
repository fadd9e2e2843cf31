from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "linli.dashboards"
    label = "dashboards"
    verbose_name = _("数据看板")

    def ready(self):
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav, register_nav_group

        register_nav_group("dashboards", _("数据与大屏"), weight=90)  # after 生活服务 (80)
        # The government view (GRID-3): the community's drill-down, up to the user's streets.
        register_nav(
            "dashboards",
            _("街道/政府视图"),
            "dashboards:gov_community",
            key="gov_view",
            weight=30,
            action=Action.STATS_VIEW,
        )
