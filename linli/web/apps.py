from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "linli.web"
    label = "web"
    verbose_name = "界面"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from linli.core.shell.nav import HomeCard, register_entrance, register_home_card

        # The shell sends visitors to sign in and residents home; web serves those pages.
        register_entrance("login", "web:login")
        register_entrance("staff_login", "web:staff_login")
        register_entrance("home", "web:home")

        # The resident's services page: web's own tile between access's.
        register_home_card(HomeCard("web_contact", _("联系物业"), "phone", 30, "web:contact"))
