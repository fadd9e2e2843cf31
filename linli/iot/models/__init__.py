from linli.iot.models.alarms import Alarm, AlarmLog
from linli.iot.models.charging import ChargerPort, ChargingSession, Tariff
from linli.iot.models.devices import Device, DeviceState, Profile
from linli.iot.models.linkage import Automation, AutomationRun, Broadcast, Command, WorkerStatus
from linli.iot.models.rules import Rule, RuleState
from linli.iot.models.telemetry import HourlyAggregate, Reading

__all__ = [
    "Alarm",
    "AlarmLog",
    "Automation",
    "AutomationRun",
    "Broadcast",
    "ChargerPort",
    "ChargingSession",
    "Command",
    "Device",
    "DeviceState",
    "HourlyAggregate",
    "Profile",
    "Reading",
    "Rule",
    "RuleState",
    "Tariff",
    "WorkerStatus",
]
