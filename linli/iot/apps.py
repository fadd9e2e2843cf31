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
        register_process("ocpp", _ocpp)
        _register_screens()
        from linli.core.monitoring.collectors import register_source
        from linli.iot.metrics import active_alarms

        register_source(active_alarms)
        from linli.core.partitions import register_partitioned
        from linli.iot.models import Reading

        register_partitioned(Reading, "ts")


def _register_screens() -> None:
    """The console's 物联网 domain, after 工单 (40): the alarm centre first; the resident's 充电 tile."""
    from django.utils.translation import gettext_lazy as _  # within ready(): Django's app loading

    from linli.core.roles import Action
    from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

    register_nav_group("iot", _("物联网"), weight=50)
    entries = [
        (10, _("告警中心"), "alarms", "iot_alarms", Action.IOT_VIEW),
        (20, _("设备"), "devices", "iot_devices", Action.IOT_VIEW),
        (30, _("云广播"), "broadcast", "iot_broadcast", Action.IOT_OPERATE),
        (40, _("告警规则"), "rules", "iot_rules", Action.IOT_VIEW),
        (50, _("联动场景"), "automations", "iot_automations", Action.IOT_VIEW),
        (60, _("充电桩"), "chargers", "iot_chargers", Action.IOT_VIEW),
    ]
    for weight, label, url_name, key, action in entries:
        register_nav("iot", label, f"iot:{url_name}", key=key, weight=weight, action=action)
    # The resident's services page: charging after 人脸录入 (60).
    register_home_card(
        HomeCard("iot_charging", _("充电"), "bolt", 65, "iot:charging", needs_home=True, tile="charging")
    )
    # The console home: alarms still on the centre, for those who answer them.
    from linli.core.shell.nav import register_home_figure
    from linli.iot import queries
    from linli.iot.services.alarms import TOPIC

    register_home_figure(
        "iot_open_alarms",
        _("待处理告警"),
        queries.open_alarm_count,
        action=Action.IOT_OPERATE,
        url_name="iot:alarms",
        weight=60,
        topics=(TOPIC,),
    )


def _ingest(url: str) -> list[str] | None:
    """With a broker configured, `linli serve` runs one ingest worker beside the web server."""
    return ["ingest"] if settings.LINLI_MQTT_URL else None


def _ocpp(url: str) -> list[str] | None:
    """The OCPP central system, once the community has a car charger to serve."""
    from linli.iot.choices import DeviceKind  # models cannot load with apps.py (Django's app loading)
    from linli.iot.models import Device

    if not Device.objects.filter(active=True, profile__kind=DeviceKind.CAR_CHARGER).exists():
        return None
    return ["ocpp", "--port", str(settings.LINLI_OCPP_PORT)]


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
