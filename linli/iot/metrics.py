"""The devices' figures on /metrics (docs/operations.md, "Monitoring"): messages through the
ingest pipeline, counted where they are handled (the MQTT worker, the web processes' HTTP
ingest), and the alarms active now, read at scrape time (registered with core in apps.py)."""

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily, Metric

from linli.iot.choices import AlarmStatus, Severity
from linli.iot.models import Alarm

INGEST_MESSAGES = Counter(
    "linli_ingest_messages",
    "Device messages the ingest pipeline handled, by result: accepted or the refusal's code.",
    ["result"],
)


def active_alarms() -> Iterable[Metric]:
    """One query on the partial index of active alarms; every severity reported, 0 included."""
    counts = dict(
        Alarm.objects.filter(status=AlarmStatus.ACTIVE)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
    )
    family = GaugeMetricFamily(
        "linli_iot_alarms_active", "IoT alarms active now, by severity.", labels=["severity"]
    )
    for severity in Severity.values:
        family.add_metric([severity], counts.get(severity, 0))
    return [family]
