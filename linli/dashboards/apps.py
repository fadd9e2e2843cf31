from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "linli.dashboards"
    label = "dashboards"
    verbose_name = _("数据看板")

    def ready(self):
        from linli.core.shell.nav import register_nav_group

        register_nav_group("dashboards", _("数据与大屏"), weight=90)  # after 生活服务 (80)
        self._register_screen()

    def _register_screen(self):
        """The big screen (DASH-1) and its kiosk tokens."""
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav

        register_nav(
            "dashboards",
            _("大屏"),
            "dashboards:screen",
            key="dashboards_screen",
            weight=0,
            action=Action.STATS_VIEW,
        )
        register_nav(
            "dashboards",
            _("大屏令牌"),
            "dashboards:screen_tokens",
            key="dashboards_screens",
            weight=10,
            action=Action.SCREEN_MANAGE,
        )
