from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from linli.core import dbrouter  # within ready(): app loading
        from linli.core.monitoring.multiprocess import fold_dead_processes

        fold_dead_processes(settings.LINLI_METRICS_DIR)
        dbrouter.connect_signals()
