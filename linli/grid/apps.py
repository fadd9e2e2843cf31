from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "linli.grid"
    label = "grid"
    verbose_name = "网格"
