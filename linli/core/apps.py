from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from linli.core import dbrouter  # within ready(): app loading
        from linli.core.models import AuditEntry
        from linli.core.monitoring.multiprocess import fold_dead_processes
        from linli.core.partitions import register_partitioned

        fold_dead_processes(settings.LINLI_METRICS_DIR)
        dbrouter.connect_signals()
        register_partitioned(AuditEntry, "at")  # by month on PostgreSQL (migration 0004)
