from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "linli.grid"
    label = "grid"
    verbose_name = "网格"

    def ready(self):
        # A grid worker's membership is narrowed to the grid's buildings; core's restrict()
        # learns them from here (docs/decisions/0002-scope-registration.md).
        from linli.core import restrict
        from linli.grid import queries

        restrict.register_narrowing("grid_id", queries.buildings_of_grids)
