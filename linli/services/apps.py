from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "linli.services"
    label = "services"
    verbose_name = "生活服务"

    def ready(self):
        from linli.iot.services.card_readers import DeviceKind, register_card_reader  # Django's app loading
        from linli.services.services import fitness

        register_card_reader(DeviceKind.FITNESS, fitness.record_card_use)
        _register_screens()


def _register_screens() -> None:
    """The console's 生活服务 domain after 居民参与 (60); resident tiles 70–79."""
    from django.utils.translation import gettext_lazy as _  # within ready(): Django's app loading

    from linli.core.roles import Action
    from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

    register_nav_group("services", _("生活服务"), weight=80)
    entries = [  # (weight, label, url_name, key)
        (0, _("服务预约"), "console_bookings", "services_bookings"),
        (10, _("服务商与项目"), "console_providers", "services_providers"),
        (20, _("场地日历"), "console_venues", "services_venues"),
        (30, _("健身器材"), "fitness_console", "services_fitness"),
    ]
    for weight, label, url_name, key in entries:
        register_nav(
            "services", label, f"services:{url_name}", key=key, weight=weight, action=Action.SERVICES_VIEW
        )
    register_home_card(
        HomeCard(
            "services_home", _("生活服务"), "ticket", 70, "services:home", needs_home=True, tile="services"
        )
    )
    register_home_card(
        HomeCard(
            "services_fitness", _("健身"), "bolt", 72, "services:fitness", needs_home=True, tile="fitness"
        )
    )
