"""The owners' assembly's vocabulary (Civil Code Art. 278)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Art278Item(models.IntegerChoices):
    """The matters of Civil Code Art. 278 para. 1; items 6–8 need three quarters (para. 2)."""

    RULES = 1, _("制定和修改业主大会议事规则")
    CONVENTION = 2, _("制定和修改管理规约")
    COMMITTEE = 3, _("选举业主委员会或者更换业主委员会成员")
    MANAGER = 4, _("选聘和解聘物业服务企业或者其他管理人")
    USE_FUNDS = 5, _("使用建筑物及其附属设施的维修资金")
    RAISE_FUNDS = 6, _("筹集建筑物及其附属设施的维修资金")
    REBUILD = 7, _("改建、重建建筑物及其附属设施")
    COMMON_USE = 8, _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = 9, _("有关共有和共同管理权利的其他重大事项")


MAJOR_ITEMS = frozenset({Art278Item.RAISE_FUNDS, Art278Item.REBUILD, Art278Item.COMMON_USE})


class VoteKind(models.TextChoices):
    MATTER = "matter", _("表决事项")
    ELECTION = "election", _("选举")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已结束")


class Choice(models.TextChoices):
    FOR = "for", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    PROXY = "proxy", _("委托代理")
    PAPER = "paper", _("纸质选票")


class BallotStatus(models.TextChoices):
    PENDING = "pending", _("待核验")
    VALID = "valid", _("有效")
    REPLACED = "replaced", _("已被替换")
    REJECTED = "rejected", _("未通过核验")


# A head's ballot that still stands: counted, or waiting for its check. One at most per head.
STANDING = (BallotStatus.VALID, BallotStatus.PENDING)
