from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "linli.access"
    label = "access"
    verbose_name = "门禁与访客"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

        # The console's 门禁与访客 domain, after 住户与房屋 (weight 10); weights leave room between.
        register_nav_group("access", _("门禁与访客"), weight=20)
        for weight, (label, url_name, key, action) in enumerate(
            [
                (_("门禁点与终端"), "console_points", "access_points", Action.ACCESS_VIEW),
                (pgettext_lazy("plural", "通行记录"), "console_events", "access_events", Action.ACCESS_VIEW),
                (pgettext_lazy("plural", "门禁授权"), "console_grants", "access_grants", Action.ACCESS_VIEW),
                (_("访客登记"), "console_visitors", "access_visitors", Action.ACCESS_VIEW),
                (_("临时停车"), "console_parking", "access_parking", Action.ACCESS_VIEW),
                (pgettext_lazy("plural", "关爱提醒"), "console_care", "access_care", Action.CARE_VIEW),
            ]
        ):
            register_nav("access", label, f"access:{url_name}", key=key, weight=weight * 10, action=action)

        # The resident's services page (web contributes 联系物业 at 30 and the coming tiles at 90+).
        for card in (
            HomeCard("access_open", _("开门"), "door", 10, "access:home", tile="open"),
            HomeCard(
                "access_invite", _("邀请访客"), "ticket", 20, "access:invite", needs_home=True, tile="invite"
            ),
            HomeCard(
                "access_passes", _("我的通行证"), "grid", 40, "access:passes", needs_home=True, tile="passes"
            ),
            HomeCard(
                "access_codes",
                _("我的通行码"),
                "qr",
                50,
                "access:home",
                "#my-qr",
                needs_home=True,
                tile="codes",
            ),
            HomeCard("access_face", _("人脸录入"), "face", 60, "access:face", needs_home=True, tile="face"),
        ):
            register_home_card(card)

        # The console home: the counter's and the gate's visitors of the day (weights in ui.md).
        from linli.access import queries
        from linli.core.shell.nav import register_home_figure

        register_home_figure(
            "access_visitors_today",
            _("今日访客"),
            queries.visitors_today,
            action=Action.VISITOR_REGISTER,
            url_name="access:console_visitors",
            weight=10,
        )

        from linli.access.models import AccessEvent
        from linli.core.partitions import register_partitioned

        register_partitioned(AccessEvent, "at")  # by month on PostgreSQL (migration 0004)
