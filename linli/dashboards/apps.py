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
        for label, url_name, key, weight, action in (
            (_("大屏"), "dashboards:screen", "dashboards_screen", 0, Action.STATS_VIEW),
            (_("大屏令牌"), "dashboards:screen_tokens", "dashboards_screens", 10, Action.SCREEN_MANAGE),
            (_("一张图"), "dashboards:site_map", "site_map", 20, Action.STATS_VIEW),
            (_("街道/政府视图"), "dashboards:gov_community", "gov_view", 30, Action.STATS_VIEW),
            (_("报表"), "dashboards:reports", "dashboards_reports", 40, Action.STATS_VIEW),
            (_("数据共享"), "dashboards:sharing", "dashboards_sharing", 50, Action.SHARING_MANAGE),
        ):
            register_nav("dashboards", label, url_name, key=key, weight=weight, action=action)
