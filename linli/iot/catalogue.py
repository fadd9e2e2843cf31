"""The built-in profiles a community starts with: what each kind of device reports, the
commands it understands and the rules that guard it (docs/devices.md lists them for vendors).

Rules are in the grammar of `linli/iot/rules/spec.py`; thresholds are parameters so that one
device can differ from its profile (a cold-store's temperature, a garage with a lower CO limit).
"""

from django.utils.translation import gettext_lazy as _

from linli.iot.choices import DeviceKind as K


def key(name, label, unit="", lo=None, hi=None):
    return {"key": name, "label": str(label), "unit": str(unit), "min": lo, "max": hi}


def rule(name, alarm_type, severity, condition, *, params=None, actions=(), auto_clear=True):
    return {
        "name": str(name),
        "alarm_type": alarm_type,
        "severity": severity,
        "condition": condition,
        "params": params or {},
        "actions": list(actions),
        "auto_clear": auto_clear,
    }


def above(k, param, **extra):
    return {"type": "threshold", "key": k, "op": ">", "value": {"param": param}, **extra}


def camera_event(event, name, severity, actions, *, dwell_s=0):
    """A camera event lasts from its start to its end (key `event:<name>` is 1, then 0); with a
    dwell time the alarm waits until it has lasted that long (a car in the fire lane)."""
    k = f"event:{event}"
    if dwell_s:
        cond = {"type": "duration", "key": k, "op": "==", "value": 1, "for_s": dwell_s}
        return rule(name, event, severity, cond, actions=actions)
    cond = {"type": "threshold", "key": k, "op": "==", "value": 1}
    return rule(name, event, severity, cond, actions=actions, auto_clear=False)


def silent(minutes=10):
    return rule(
        _("设备离线"),
        "offline",
        "minor",
        {"type": "no_data", "for_s": minutes * 60},
        actions=[{"type": "work_order", "category": "facility", "priority": "normal"}],
    )


WORK_ORDER = {"type": "work_order", "category": "facility", "priority": "high"}
INCIDENT = {"type": "incident", "category": "street"}


def _profiles():
    fans_on = {"type": "command", "target": "same_area:fan", "name": "fan_on", "params": {}}
    warn_area = {
        "type": "broadcast",
        "area": "building",
        "priority": "emergency",
        "text": str(_("请注意：检测到异常，请按工作人员指引疏散")),
    }
    tell_residents = {
        "type": "residents",
        "area": "building",
        "text": str(_("楼内发出火情警报，请保持冷静，关闭燃气，走楼梯疏散，勿乘电梯。")),
    }
    return [
        {
            "kind": K.ELEVATOR,
            "name": _("电梯"),
            "interval_s": 60,
            "keys": [
                key("running", _("运行")),
                key("floor", _("楼层")),
                key("door_open_s", _("开门时长"), "s"),
                key("trapped", _("困人")),
            ],
            "rules": [
                rule(
                    _("电梯困人"),
                    "elevator_trapped",
                    "critical",
                    {"type": "threshold", "key": "trapped", "op": "==", "value": 1},
                    actions=[
                        {"type": "work_order", "category": "elevator", "priority": "urgent"},
                        {"type": "notify", "roles": ["property_manager"]},
                    ],
                ),
                silent(),
            ],
        },
        {
            "kind": K.FIRE_PANEL,
            "name": _("消防主机"),
            "interval_s": 60,
            "keys": [key("fire", _("火警")), key("fault", _("故障"))],
            "rules": [
                rule(
                    _("火警"),
                    "fire",
                    "critical",
                    {"type": "threshold", "key": "fire", "op": "==", "value": 1},
                    actions=[
                        warn_area,
                        tell_residents,
                        {"type": "notify", "roles": ["property_manager", "community_admin"]},
                    ],
                ),
                rule(
                    _("消防主机故障"),
                    "fire_panel_fault",
                    "major",
                    {"type": "repeat", "key": "fault", "op": "==", "value": 1, "times": 3},
                    actions=[WORK_ORDER],
                ),
                silent(),
            ],
        },
        {
            "kind": K.WATER_TANK,
            "name": _("水箱"),
            "interval_s": 60,
            "keys": [key("level", _("液位"), "%", 0, 100), key("chlorine", _("余氯"), "mg/L", 0, 10)],
            "rules": [
                rule(
                    _("水箱液位低"),
                    "tank_low",
                    "major",
                    {
                        "type": "duration",
                        "key": "level",
                        "op": "<",
                        "value": {"param": "level_low"},
                        "for_s": 300,
                    },
                    params={"level_low": 20},
                    actions=[WORK_ORDER],
                ),
                silent(),
            ],
        },
        {
            "kind": K.WATER_PUMP,
            "name": _("水泵"),
            "interval_s": 60,
            "keys": [
                key("pressure", _("出水压力"), "MPa", 0, 5),
                key("running", _("运行")),
                key("fault", _("故障")),
            ],
            "rules": [
                rule(
                    _("供水压力低"),
                    "pressure_low",
                    "major",
                    {
                        "type": "duration",
                        "key": "pressure",
                        "op": "<",
                        "value": {"param": "pressure_low"},
                        "for_s": 120,
                    },
                    params={"pressure_low": 0.15},
                    actions=[WORK_ORDER],
                ),
                silent(),
            ],
        },
        {
            "kind": K.SMOKE,
            "name": _("独立烟感"),
            "interval_s": 300,
            "offline_after_s": 3600,
            "keys": [key("smoke", _("烟雾"), "dB/m", 0, 10), key("battery", _("电量"), "%", 0, 100)],
            "rules": [
                rule(
                    _("烟雾报警"),
                    "smoke",
                    "critical",
                    above("smoke", "smoke_limit"),
                    params={"smoke_limit": 0.5},
                    actions=[warn_area, tell_residents, {**WORK_ORDER, "priority": "urgent"}],
                ),
                rule(
                    _("烟感电量低"),
                    "battery_low",
                    "warning",
                    {"type": "threshold", "key": "battery", "op": "<", "value": {"param": "battery_low"}},
                    params={"battery_low": 15},
                    actions=[{**WORK_ORDER, "priority": "low"}],
                ),
            ],
        },
        {
            "kind": K.CO,
            "name": _("一氧化碳探测器"),
            "interval_s": 30,
            "keys": [key("co", _("一氧化碳"), "ppm", 0, 2000)],
            "rules": [
                rule(
                    _("一氧化碳超标"),
                    "co_high",
                    "critical",
                    {
                        "type": "duration",
                        "key": "co",
                        "op": ">",
                        "value": {"param": "co_limit"},
                        "for_s": 120,
                    },
                    params={"co_limit": 50},
                    actions=[fans_on, WORK_ORDER],
                ),
                silent(5),
            ],
        },
        {
            "kind": K.FAN,
            "name": _("排风机"),
            "interval_s": 60,
            "keys": [key("running", _("运行"))],
            "commands": ["fan_on", "fan_off"],
            "rules": [silent()],
        },
        {
            "kind": K.WATER_METER,
            "name": _("智能水表"),
            "interval_s": 3600,
            "offline_after_s": 3 * 86400,
            "keys": [key("total", _("累计用水"), "m³", 0), key("flow", _("瞬时流量"), "m³/h", 0)],
            "rules": [
                rule(
                    _("疑似漏水(夜间持续用水)"),
                    "leak_suspected",
                    "minor",
                    {
                        "all": [
                            {"type": "schedule", "from": "01:00", "to": "05:00"},
                            {"type": "duration", "key": "flow", "op": ">", "value": 0.05, "for_s": 3 * 3600},
                        ]
                    },
                    actions=[{**WORK_ORDER, "priority": "normal"}],
                ),
            ],
        },
        {
            "kind": K.POWER_METER,
            "name": _("智能电表"),
            "interval_s": 3600,
            "offline_after_s": 3 * 86400,
            "keys": [key("total", _("累计电量"), "kWh", 0), key("power", _("功率"), "kW", 0)],
            "rules": [],
        },
        {
            "kind": K.TRASH_BIN,
            "name": _("智能垃圾桶"),
            "interval_s": 600,
            "offline_after_s": 7200,
            "keys": [key("fill", _("满溢度"), "%", 0, 100)],
            "rules": [
                rule(
                    _("垃圾桶满溢"),
                    "bin_full",
                    "minor",
                    above("fill", "fill_limit"),
                    params={"fill_limit": 90},
                    actions=[{"type": "work_order", "category": "clean", "priority": "normal"}],
                ),
            ],
        },
        {
            "kind": K.LIGHT_POLE,
            "name": _("智慧灯杆"),
            "interval_s": 300,
            "offline_after_s": 1800,
            "keys": [
                key("pm25", "PM2.5", "μg/m³", 0, 1000),
                key("temperature", _("温度"), "°C", -40, 70),
                key("humidity", _("湿度"), "%", 0, 100),
            ],
            "rules": [
                rule(
                    _("空气质量差"),
                    "pm25_high",
                    "warning",
                    {
                        "type": "duration",
                        "key": "pm25",
                        "op": ">",
                        "value": {"param": "pm25_limit"},
                        "for_s": 3600,
                    },
                    params={"pm25_limit": 150},
                ),
            ],
        },
        {
            "kind": K.AI_CAMERA,
            "name": _("AI摄像机"),
            "interval_s": 60,
            "keys": [],
            "rules": [
                camera_event("high_throw", _("高空抛物"), "critical", [INCIDENT]),
                camera_event(
                    "fire_lane",
                    _("消防通道占用"),
                    "major",
                    [
                        {
                            "type": "broadcast",
                            "area": "building",
                            "priority": "high",
                            "text": str(_("消防通道禁止停车，请立即驶离")),
                        },
                        {"type": "incident", "category": "fire-lane"},
                    ],
                    dwell_s=600,
                ),
                camera_event(
                    "trash_overflow",
                    _("垃圾满溢"),
                    "minor",
                    [{"type": "work_order", "category": "clean", "priority": "normal"}],
                ),
                camera_event(
                    "ebike_elevator",
                    _("电动车进电梯"),
                    "major",
                    [
                        {
                            "type": "broadcast",
                            "area": "building",
                            "priority": "high",
                            "text": str(_("电动自行车禁止进入电梯")),
                        }
                    ],
                ),
                camera_event("dog_off_leash", _("遛狗未牵绳"), "warning", [INCIDENT]),
                camera_event("street_vending", _("占道经营"), "minor", [INCIDENT]),
                camera_event(
                    "smoke_fire",
                    _("烟火"),
                    "critical",
                    [warn_area, tell_residents, {**WORK_ORDER, "priority": "urgent"}],
                ),
                silent(),
            ],
        },
        {
            "kind": K.SPEAKER,
            "name": _("广播音柱"),
            "interval_s": 60,
            "keys": [],
            "commands": ["speak"],
            "rules": [silent()],
        },
        {
            "kind": K.EBIKE_CHARGER,
            "name": _("电动自行车充电桩"),
            "interval_s": 60,
            "keys": [key("power", _("总功率"), "W", 0, 20000)],
            "commands": ["start", "stop"],
            "rules": [silent()],
        },
        {
            "kind": K.CAR_CHARGER,
            "name": _("汽车充电桩(OCPP)"),
            "interval_s": 300,
            "keys": [key("power", _("功率"), "W", 0)],
            "commands": ["remote_start", "remote_stop"],
            "rules": [],
        },
        {
            "kind": K.GATE,
            "name": _("道闸"),
            "interval_s": 60,
            "keys": [key("open", _("开启"))],
            "commands": ["open"],
            "rules": [silent()],
        },
        {
            # `uses`: uses begun since the last report (everyone's, nobody named). A card held to
            # its reader is reported on the status channel; it counts for that person only with
            # their consent (linli/services, "健身记录").
            "kind": K.FITNESS,
            "name": _("智能健身器材"),
            "interval_s": 600,
            "keys": [key("uses", _("使用次数"), _("次"), 0, 1000)],
            "rules": [silent(120)],
        },
    ]


def profiles() -> list[dict]:
    """Evaluated per call: labels follow the language active when a community is set up."""
    out = []
    for p in _profiles():
        p = dict(p)
        p["name"] = str(p["name"])
        p.setdefault("commands", [])
        p.setdefault("offline_after_s", p["interval_s"] * 3)
        out.append(p)
    return out
