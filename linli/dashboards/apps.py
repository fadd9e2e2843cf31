from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "linli.dashboards"
    label = "dashboards"
    verbose_name = _("数据看板")

    def ready(self):
        from linli.core.shell.nav import register_nav_group

        register_nav_group("dashboards", _("数据与大屏"), weight=90)  # after 生活服务 (80)
        # reports (DASH-3) and data sharing (SEC-4)
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav

        register_nav(
            "dashboards",
            _("报表"),
            "dashboards:reports",
            key="dashboards_reports",
            weight=30,
            action=Action.STATS_VIEW,
        )
        register_nav(
            "dashboards",
            _("数据共享"),
            "dashboards:sharing",
            key="dashboards_sharing",
            weight=40,
            action=Action.SHARING_MANAGE,
        )
