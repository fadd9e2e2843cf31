from django.apps import AppConfig
from django.conf import settings


class IotConfig(AppConfig):
    name = "linli.iot"
    label = "iot"
    verbose_name = "物联网"

    def ready(self):
        from linli.core.processes import register_process  # within ready(): Django's app loading

        register_process("ingest", _ingest)
        register_process("simulator", _simulator)


def _ingest(url: str) -> list[str] | None:
    """With a broker configured, `linli serve` runs one ingest worker beside the web server."""
    return ["ingest"] if settings.LINLI_MQTT_URL else None


def _simulator(url: str) -> list[str] | None:
    """Only where the demo seeded simulated devices: a real installation has none."""
    from linli.iot.models import Device  # models cannot load with apps.py (Django's app loading)

    community = Device.objects.filter(simulated=True).values_list("community__code", flat=True).first()
    if community is None:
        return None
    return [
        "simulate",
        "--community",
        community,
        "--url",
        url,
        "--anomaly",
        "co_spike",
        "--anomaly",
        "fire_lane",
        "--anomaly-every",
        "900",
    ]
