from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from linli.core.monitoring.multiprocess import fold_dead_processes  # within ready(): app loading

        fold_dead_processes(settings.LINLI_METRICS_DIR)
        from linli.core.models import AuditEntry
        from linli.core.partitions import register_partitioned

        register_partitioned(AuditEntry, "at")  # by month on PostgreSQL (migration 0003)
