from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseType(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    SHOP = "shop", _("商铺")
    PARKING = "parking", _("车位")
    STORAGE = "storage", _("储藏室")


class AreaSource(models.TextChoices):
    """Where a house's area comes from: the owners' assembly counts it (Civil Code Art. 278)."""

    REGISTRATION = "registration", _("不动产登记")
    SURVEY = "survey", _("测绘报告")
    CONTRACT = "contract", _("买卖合同")


class Relation(models.TextChoices):
    OWNER = "owner", _("业主")
    CO_OWNER = "co_owner", _("共有人")
    TENANT = "tenant", _("租客")
    FAMILY = "family", _("家属")


OWNING = (Relation.OWNER, Relation.CO_OWNER)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class EndReason(models.TextChoices):
    LEASE_ENDED_EARLY = "lease_ended_early", _("提前退租")
    MOVED_OUT = "moved_out", _("迁出")
    SOLD = "sold", _("房屋出售")
    SPONSOR_ENDED = "sponsor_ended", _("随住户迁出")
    CORRECTION = "correction", _("登记更正")


class SpaceKind(models.TextChoices):
    OWNED = "owned", _("产权车位")
    RENTED = "rented", _("租赁车位")
    SHARED = "shared", _("共享车位")
    VISITOR = "visitor", _("访客车位")


class VehicleKind(models.TextChoices):
    CAR = "car", _("小汽车")
    EV = "ev", _("新能源车")
    MOTORBIKE = "motorbike", _("摩托车")
    EBIKE = "ebike", _("电动自行车")


class OrgKind(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("物业公司")
    COMMITTEE = "committee", _("业主委员会")
    MERCHANT = "merchant", _("商户")
    SOCIAL = "social", _("社会组织")
    GOVERNMENT = "government", _("政府部门")


class CareKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    ELDERLY = "elderly", _("高龄老人")
    DISABLED = "disabled", _("残疾人")
    CHILD = "child", _("留守儿童")
    SPECIAL_NEEDS = "special_needs", _("其他需关爱")
