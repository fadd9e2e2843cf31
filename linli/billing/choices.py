from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeKind(models.TextChoices):
    PROPERTY = "property", _("物业费")
    PARKING_MONTHLY = "parking_monthly", _("车位月租")
    PARKING_TEMPORARY = "parking_temporary", _("临时停车费")
    WATER = "water", _("水费")
    ELECTRICITY = "electricity", _("电费")
    GAS = "gas", _("燃气费")
    SHARED_AREA = "shared_area", _("公摊费")
    DEPOSIT = "deposit", _("押金")
    ONE_OFF = "one_off", _("一次性收费")


METERED = (FeeKind.WATER, FeeKind.ELECTRICITY, FeeKind.GAS)


class Cycle(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    QUARTERLY = "quarterly", _("按季")
    YEARLY = "yearly", _("按年")
    ONCE = "once", _("一次性")


class PayerRule(models.TextChoices):
    # Owner by default; the tenant where the lease says the tenant pays (Occupancy.tenant_pays_fees).
    OWNER = "owner", _("业主")
    OCCUPANT = "occupant", _("租客(租约约定时)或业主")


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("未缴")
    PARTLY_PAID = "partly_paid", _("部分缴纳")
    PAID = "paid", _("已缴")
    VOID = "void", _("已作废")


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("预览")
    POSTED = "posted", _("已出账")
    DISCARDED = "discarded", _("已放弃")


class Channel(models.TextChoices):
    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    SANDBOX = "sandbox", _("沙箱支付")
    CASH = "cash", _("现金")
    CARD = "card", _("刷卡")
    TRANSFER = "transfer", _("转账")
    PREPAYMENT = "prepayment", _("预存抵扣")


ONLINE = (Channel.WECHAT, Channel.ALIPAY, Channel.SANDBOX)
COUNTER = (Channel.CASH, Channel.CARD, Channel.TRANSFER)


class PaymentPurpose(models.TextChoices):
    BILLS = "bills", _("缴费")
    PREPAY = "prepay", _("预存")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    CLOSED = "closed", _("已关闭")


class Account(models.TextChoices):
    """The ledger's accounts. Debit-normal: receivable, cash, clearing, discount, refund.
    Credit-normal: revenue, prepayment, deposits held, late-fee income."""

    RECEIVABLE = "receivable", _("应收账款")
    CASH = "cash", _("现金及银行")
    CLEARING = "clearing", _("支付渠道待清算")
    PREPAYMENT = "prepayment", _("预收款")
    DISCOUNT = "discount", _("减免")
    REFUND = "refund", _("退款")
    REVENUE = "revenue", _("收入")
    DEPOSITS = "deposits", _("押金")
    LATE_FEE = "late_fee", _("滞纳金收入")


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    REJECTED = "rejected", _("已驳回")
    PENDING = "pending", _("退款中")
    DONE = "done", _("已退款")
    FAILED = "failed", _("退款失败")


class MatchResult(models.TextChoices):
    MATCHED = "matched", _("一致")
    MISSING = "missing", _("平台有、渠道无")
    EXTRA = "extra", _("渠道有、平台无")
    DIFFERENT = "different", _("金额或状态不一致")


class ReadingSource(models.TextChoices):
    MANUAL = "manual", _("手工录入")
    IMPORT = "import", _("表格导入")
    DEVICE = "device", _("智能表上报")
