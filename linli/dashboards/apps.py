from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "linli.dashboards"
    label = "dashboards"
    verbose_name = _("数据看板")

    def ready(self):
        from linli.core.shell.nav import register_nav_group

        register_nav_group("dashboards", _("数据与大屏"), weight=90)  # after 生活服务 (80)
        self._register_site_map()

    def _register_site_map(self):
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav

        register_nav(
            "dashboards",
            _("一张图"),
            "dashboards:site_map",
            key="site_map",
            weight=20,
            action=Action.STATS_VIEW,
        )
