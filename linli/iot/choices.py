from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    ELEVATOR = "elevator", _("电梯")
    FIRE_PANEL = "fire_panel", _("消防主机")
    WATER_TANK = "water_tank", _("水箱")
    WATER_PUMP = "water_pump", _("水泵")
    SMOKE = "smoke", _("烟感")
    CO = "co", _("一氧化碳探测器")
    WATER_METER = "water_meter", _("智能水表")
    POWER_METER = "power_meter", _("智能电表")
    TRASH_BIN = "trash_bin", _("智能垃圾桶")
    LIGHT_POLE = "light_pole", _("智慧灯杆")
    AI_CAMERA = "ai_camera", _("AI摄像机")
    SPEAKER = "speaker", _("广播音柱")
    FAN = "fan", _("排风机")
    EBIKE_CHARGER = "ebike_charger", _("电动自行车充电桩")
    CAR_CHARGER = "car_charger", _("汽车充电桩")
    GATE = "gate", _("道闸/门禁")
    FITNESS = "fitness", _("智能健身器材")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("紧急")
    MAJOR = "major", _("重要")
    MINOR = "minor", _("次要")
    WARNING = "warning", _("提示")


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2, Severity.WARNING: 3}


class AlarmStatus(models.TextChoices):
    ACTIVE = "active", _("活动")
    CLEARED = "cleared", _("已清除")


class CommandStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    ACKED = "acked", _("已确认")
    FAILED = "failed", _("设备报告失败")
    TIMED_OUT = "timed_out", _("超时")


class RunMode(models.TextChoices):
    SINGLE = "single", _("单次(运行中忽略新触发)")
    RESTART = "restart", _("重启(新触发取消正在运行的)")
    QUEUED = "queued", _("排队(依次运行)")


class RunStatus(models.TextChoices):
    WAITING = "waiting", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("完成")
    CANCELLED = "cancelled", _("已取消")
    FAILED = "failed", _("失败")


class BroadcastPriority(models.TextChoices):
    NORMAL = "normal", _("普通")
    HIGH = "high", _("重要")
    EMERGENCY = "emergency", _("紧急")


class PortState(models.TextChoices):
    FREE = "free", _("空闲")
    CHARGING = "charging", _("充电中")
    FAULT = "fault", _("故障")
    OFFLINE = "offline", _("离线")


class SessionStatus(models.TextChoices):
    STARTING = "starting", _("启动中")
    CHARGING = "charging", _("充电中")
    INTERRUPTED = "interrupted", _("断电中断")
    DONE = "done", _("已结束")
    FAILED = "failed", _("启动失败")


SESSION_OPEN = (SessionStatus.STARTING, SessionStatus.CHARGING, SessionStatus.INTERRUPTED)


class StopReason(models.TextChoices):
    FULL = "full", _("已充满")
    TIME_UP = "time_up", _("时间到")
    RESIDENT = "resident", _("住户结束")
    STAFF = "staff", _("物业结束")
    UNPLUGGED = "unplugged", _("拔出插头")
    FAULT = "fault", _("设备故障")
    NO_ANSWER = "no_answer", _("设备未应答")
    OTHER = "other", _("其他")


class StartedVia(models.TextChoices):
    SCAN = "scan", _("扫码")
    CARD = "card", _("刷卡")
    CHARGER = "charger", _("充电桩本地")
