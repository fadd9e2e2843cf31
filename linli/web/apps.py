from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "linli.web"
    label = "web"
    verbose_name = "界面"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        from linli.core.roles import Action
        from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

        # The console's 住户与房屋 domain: registry's pages (and accounts' team page) still live in
        # linli/web/views/staff*.py, so web registers them; the domain comes first in the menu.
        register_nav_group("registry", _("住户与房屋"), weight=10)
        for weight, (label, url_name, key, action) in enumerate(
            [
                (_("概览"), "staff_overview", "overview", None),
                (_("楼栋与房屋"), "staff_buildings", "buildings", None),
                (pgettext_lazy("plural", "人员"), "staff_people", "people", Action.PEOPLE_VIEW),
                (pgettext_lazy("plural", "车辆"), "staff_vehicles", "vehicles", Action.PEOPLE_VIEW),
                (_("关爱对象"), "staff_care", "care", Action.CARE_VIEW),
                (_("批量导入"), "staff_import", "import", Action.IMPORT_RUN),
                (_("操作记录"), "staff_audit", "audit", Action.AUDIT_VIEW),
                (_("个人信息查看记录"), "staff_pii", "pii", Action.AUDIT_VIEW),
                (_("工作人员"), "staff_team", "team", Action.MEMBERS_CHANGE),
            ]
        ):
            register_nav("registry", label, f"web:{url_name}", key=key, weight=weight * 10, action=action)

        # The resident's services page: web's own tile between access's, and the domains not built yet.
        for card in (
            HomeCard("web_contact", _("联系物业"), "phone", 30, "web:contact"),
            HomeCard("coming_pay", _("缴费"), "yen", 90),
            HomeCard("coming_repair", _("报修"), "wrench", 91),
            HomeCard("coming_vote", _("议事投票"), "vote", 92),
        ):
            register_home_card(card)
