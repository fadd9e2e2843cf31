from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = "登记"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        # Residents' own houses and building-scoped staff reach core's restrict() from here
        # (core imports no app above it: docs/decisions/0002-scope-registration.md).
        from linli.core import restrict
        from linli.core.roles import Action
        from linli.core.shell.nav import register_nav, register_nav_group, register_search
        from linli.registry import queries

        restrict.register_residency(queries.residency_of)
        restrict.register_building_communities(queries.communities_of_buildings)

        # The console's 住户与房屋 domain comes first in the menu (accounts adds 工作人员 at 80).
        register_nav_group("registry", _("住户与房屋"), weight=10)
        for weight, (label, url_name, key, action) in enumerate(
            [
                (_("概览"), "overview", "overview", None),
                (_("楼栋与房屋"), "buildings", "buildings", None),
                (pgettext_lazy("plural", "人员"), "people", "people", Action.PEOPLE_VIEW),
                (pgettext_lazy("plural", "车辆"), "vehicles", "vehicles", Action.PEOPLE_VIEW),
                (_("关爱对象"), "care", "care", Action.CARE_VIEW),
                (_("批量导入"), "import", "import", Action.IMPORT_RUN),
                (_("操作记录"), "audit", "audit", Action.AUDIT_VIEW),
                (_("个人信息查看记录"), "pii", "pii", Action.AUDIT_VIEW),
            ]
        ):
            register_nav(
                "registry", label, f"registry:{url_name}", key=key, weight=weight * 10, action=action
            )
        register_search(
            "registry:search", _("姓名、完整手机号、身份证号、车牌、房号"), action=Action.PEOPLE_VIEW
        )
