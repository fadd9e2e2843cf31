from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = "登记"

    def ready(self):
        # Residents' own houses and building-scoped staff reach core's restrict() from here
        # (core imports no app above it: docs/decisions/0002-scope-registration.md).
        from linli.core import restrict
        from linli.registry import queries

        restrict.register_residency(queries.residency_of)
        restrict.register_building_communities(queries.communities_of_buildings)
