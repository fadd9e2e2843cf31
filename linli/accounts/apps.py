from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = "账户"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav

        # The team page closes the registry's 住户与房屋 group (its entries weigh 0 to 70).
        register_nav(
            "registry", _("工作人员"), "accounts:team", key="team", weight=80, action=Action.MEMBERS_CHANGE
        )
