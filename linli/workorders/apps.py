from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "linli.workorders"
    label = "workorders"
    verbose_name = "工单"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.shell.nav import HomeCard, register_home_card

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
