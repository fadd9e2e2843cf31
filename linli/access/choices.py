"""Enumerations of access control. Reason codes are a stable contract with terminal vendors."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class PointKind(models.TextChoices):
    COMMUNITY_GATE = "community_gate", _("小区大门")
    BUILDING_DOOR = "building_door", _("楼栋门")
    UNIT_DOOR = "unit_door", _("单元门")
    GARAGE_BARRIER = "garage_barrier", _("车库道闸")
    ELEVATOR = "elevator", _("电梯")


# Points every resident of the community passes (they belong to every building's zone).
SITE_WIDE_KINDS = (PointKind.COMMUNITY_GATE, PointKind.GARAGE_BARRIER)


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")
    BOTH = "both", _("进出")


class ZoneKind(models.TextChoices):
    BUILDING_RESIDENTS = "building_residents", _("楼栋住户")
    ALL_POINTS = "all_points", _("全部门禁")
    CUSTOM = "custom", _("自定义")


class GrantSource(models.TextChoices):
    OWNERSHIP = "ownership", _("产权")
    LEASE = "lease", _("租约")
    RESIDENCE = "residence", _("家属居住")
    STAFF_ROLE = "staff_role", _("工作岗位")
    HOUSEHOLD = "household", _("住户授权")
    MANUAL = "manual", _("物业授权")


# Sources whose validity is an active registry occupancy (source_id = Occupancy.pk). A household
# grant hangs on the occupancy of the head who gave it, so it ends when they move out.
OCCUPANCY_SOURCES = (GrantSource.OWNERSHIP, GrantSource.LEASE, GrantSource.RESIDENCE, GrantSource.HOUSEHOLD)


class CredentialKind(models.TextChoices):
    CARD = "card", _("IC卡")
    PIN = "pin", _("密码")
    FACE = "face", _("人脸")


class Method(models.TextChoices):
    CARD = "card", _("刷卡")
    PIN = "pin", _("密码")
    QR = "qr", _("二维码")
    FACE = "face", _("人脸")
    APP = "app", _("手机开门")
    INTERCOM = "intercom", _("可视对讲")
    PLATE = "plate", _("车牌识别")
    MANUAL = "manual", _("人工放行")


class Reason(models.TextChoices):
    GRANTED = "granted", _("已授权")
    VISITOR_PASS = "visitor_pass", _("访客通行证")
    INTERCOM_OPENED = "intercom_opened", _("住户远程开门")
    INTERCOM_ANSWERER_LEFT = "intercom_answerer_left", _("接听人已不在此房屋居住，不能开门")
    REMOTE_OPEN = "remote_open", _("工作人员远程开门")
    RESIDENT_VEHICLE = "resident_vehicle", _("登记车辆")
    TEMPORARY_PARKING = "temporary_parking", _("临时停车")
    UNKNOWN_CREDENTIAL = "unknown_credential", _("未登记的凭证")
    CREDENTIAL_REVOKED = "credential_revoked", _("凭证已注销")
    NO_GRANT = "no_grant", _("无此门禁权限")
    GRANT_EXPIRED = "grant_expired", _("授权已过期")
    GRANT_NOT_YET_VALID = "grant_not_yet_valid", _("授权尚未生效")
    OUTSIDE_SCHEDULE = "outside_schedule", _("不在授权时段")
    SOURCE_ENDED = "source_ended", _("居住或岗位关系已结束")
    HELPER_HOST_LEFT = "helper_host_left", _("授权的住户已迁出，授权随之结束")
    PIN_RATE_LIMITED = "pin_rate_limited", _("密码错误次数过多，请稍后再试")
    POINT_INACTIVE = "point_inactive", _("门禁点已停用")
    PASS_MALFORMED = "pass_malformed", _("二维码无法识别")
    PASS_ALG_NONE = "pass_alg_none", _("二维码未签名")
    PASS_ALG_UNSUPPORTED = "pass_alg_unsupported", _("二维码签名算法不支持")
    PASS_UNKNOWN_KEY = "pass_unknown_key", _("二维码签名密钥未知")
    PASS_BAD_SIGNATURE = "pass_bad_signature", _("二维码签名无效")
    PASS_EXPIRED = "pass_expired", _("通行证已过期")
    PASS_NOT_YET_VALID = "pass_not_yet_valid", _("通行证尚未生效")
    PASS_USED_UP = "pass_used_up", _("通行证次数已用完")
    PASS_REVOKED = "pass_revoked", _("通行证已撤销")
    PASS_HOST_LEFT = "pass_host_left", _("邀请人已不在此居住，通行证随之失效")
    PASS_ISSUER_LEFT = "pass_issuer_left", _("登记访客的工作人员已离岗，通行证随之失效")
    PASS_OTHER_COMMUNITY = "pass_other_community", _("不是本小区的通行证")
    PASS_WRONG_GATE = "pass_wrong_gate", _("通行证不能用于此门")
    PASS_UNKNOWN = "pass_unknown", _("通行证不存在")
    FACE_NO_MATCH = "face_no_match", _("未识别的人脸")
    FACE_AMBIGUOUS = "face_ambiguous", _("人脸无法确认身份")
    FACE_UNUSABLE = "face_unusable", _("人脸图像不合格")
    FACE_ENGINE_UNAVAILABLE = "face_engine_unavailable", _("人脸识别引擎未安装")
    PLATE_INVALID = "plate_invalid", _("车牌无法识别")
    NO_TEMPORARY_PARKING = "no_temporary_parking", _("本道闸不接待临时车辆")
    VEHICLE_OWNER_LEFT = "vehicle_owner_left", _("车主已不是本小区住户，登记车辆不再免费通行")
    # Plate rights an app above access registers (vehicles.register_plate_right): parking's.
    SHARED_BOOKING = "shared_booking", _("共享车位预约")
    PARKING_PASS = "parking_pass", _("停车月卡")
    PARKING_FEE_UNPAID = "parking_fee_unpaid", _("请缴纳停车费后离场")
    PARKING_FEE_PAID = "parking_fee_paid", _("停车费已缴，放行")


# A car held at the exit until its fee is paid is business, not a security concern: no
# security event, and it does not count towards repeated failures at the barrier.
NOT_SECURITY = frozenset({Reason.PARKING_FEE_UNPAID})


class PassKind(models.TextChoices):
    VISITOR = "visitor", _("访客")
    COURIER = "courier", _("快递")
    DELIVERY = "delivery", _("外卖")
    WALK_IN = "walk_in", _("现场登记访客")


# What a preset fills in when the resident does not say otherwise: (validity, uses).
PASS_PRESETS: dict[str, tuple[timedelta, int]] = {
    PassKind.VISITOR: (timedelta(hours=12), 4),
    PassKind.COURIER: (timedelta(hours=2), 4),
    PassKind.DELIVERY: (timedelta(hours=1), 2),
    PassKind.WALK_IN: (timedelta(hours=4), 2),
}


class SecurityKind(models.TextChoices):
    DENIED = "denied", _("拒绝通行")
    UNKNOWN_FACE = "unknown_face", _("陌生人脸")
    REPEATED_FAILURES = "repeated_failures", _("连续多次失败")
    REVOKED_TERMINAL = "revoked_terminal", _("已注销终端尝试连接")


class SecurityStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已处理")


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("呼叫中")
    OPENED = "opened", _("已开门")
    DECLINED = "declined", _("已拒绝")
    MISSED = "missed", _("未接听")


class CareRuleKind(models.TextChoices):
    NO_EXIT = "no_exit", _("久未出门")
    NOT_BACK = "not_back", _("外出未归")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")


class ChangeKind(models.TextChoices):
    PERSON = "person", _("人员权限")
    PASS = "pass", _("通行证")
    LAYOUT = "layout", _("门禁点与分区")
    KEYS = "keys", _("签名密钥")
