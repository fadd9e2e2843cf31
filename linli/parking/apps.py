from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "linli.parking"
    label = "parking"
    verbose_name = "停车"

    def ready(self):
        from linli.parking import barrier  # within ready(): Django's app loading

        barrier.register()
        _register_screens()


def _register_screens() -> None:
    """The console's 停车 domain after 居民参与 (60); the resident's 共享车位 tile."""
    from django.utils.translation import gettext_lazy as _  # within ready(): Django's app loading

    from linli.core.roles import Action
    from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

    register_nav_group("parking", _("停车"), weight=70)
    register_nav(
        "parking",
        _("共享车位"),
        "parking:console_offers",
        key="parking_offers",
        weight=10,
        action=Action.PARKING_VIEW,
    )
    register_nav(
        "parking",
        _("共享预约"),
        "parking:console_bookings",
        key="parking_bookings",
        weight=20,
        action=Action.PARKING_VIEW,
    )
    register_nav(
        "parking",
        _("停车月卡"),
        "parking:console_passes",
        key="parking_passes",
        weight=30,
        action=Action.PARKING_VIEW,
    )
    register_nav(
        "parking",
        _("车位分布"),
        "parking:console_spaces",
        key="parking_spaces",
        weight=40,
        action=Action.PARKING_VIEW,
    )
    register_nav(
        "parking",
        _("出口收费"),
        "parking:console_exits",
        key="parking_exits",
        weight=50,
        action=Action.PARKING_VIEW,
    )
    register_home_card(
        HomeCard("parking_shared", _("共享车位"), "ticket", 45, "parking:offers", tile="parking")
    )
    # Anyone signed in may pay a stay: a visitor's host, or a resident parked as a visitor.
    register_home_card(HomeCard("parking_pay", _("停车缴费"), "yen", 46, "parking:pay", tile="parking-pay"))
