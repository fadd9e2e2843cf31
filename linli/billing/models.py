"""Fees, bills, payments and the ledger (FEE-1..FEE-6). Money is integer fen everywhere.

Unit prices may be finer than a fen (0.5283 元/kWh): they are Decimal fen with 4 places, and
every amount is rounded once, half up, to a whole fen where a bill line is computed.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.billing.choices import (
    Account,
    ApprovalStatus,
    BillStatus,
    Channel,
    Cycle,
    FeeKind,
    MatchResult,
    PayerRule,
    PaymentPurpose,
    PaymentStatus,
    ReadingSource,
    RefundStatus,
    RunStatus,
)
from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.registry.choices import HouseType

PRICE = {"max_digits": 14, "decimal_places": 4}  # fen per unit (㎡·month, m³, kWh, period)
QUANTITY = {"max_digits": 14, "decimal_places": 3}


class FeeItem(Timestamped):
    """What is charged (物业费, 水费, 装修押金 …); its prices live in versioned standards."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="fee_items")
    name = models.CharField(_("收费项目"), max_length=60)
    kind = models.CharField(_("类型"), max_length=30, choices=FeeKind.choices)
    cycle = models.CharField(_("周期"), max_length=20, choices=Cycle.choices, default=Cycle.MONTHLY)
    payer_rule = models.CharField(
        _("缴费人"), max_length=20, choices=PayerRule.choices, default=PayerRule.OWNER
    )
    # Days after the period's start when a bill falls due.
    due_days = models.PositiveSmallIntegerField(_("缴费期限(天)"), default=30)
    # Late fees (滞纳金): off by default; per-day rate in parts per ten thousand, capped.
    late_fee_daily_bp = models.PositiveSmallIntegerField(_("滞纳金日费率(万分之)"), default=0)
    late_fee_cap_bp = models.PositiveSmallIntegerField(_("滞纳金上限(占本金万分之)"), default=0)
    active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("收费项目")
        ordering = ["community_id", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="fee_item_name_unique")]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)  # published prices are public


class FeeStandard(Timestamped):
    """One version of a fee item's price, in force from `effective_from` (inclusive) to
    `effective_to` (inclusive, open when null). Versions of an item for the same house type never
    overlap. Owners see it, with its cost basis, from `published_at`, before it applies."""

    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="standards")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    house_type = models.CharField(_("房屋类型"), max_length=20, choices=HouseType.choices, blank=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    # Area fees: fen per ㎡ per month; monthly passes: fen per month; metered: the first tier's
    # price when `tiers` is empty; one-off and deposits: the amount; temporary parking: per period.
    unit_price_fen = models.DecimalField(_("单价(分)"), **PRICE)
    # Tiered prices for metered fees: [[up_to_quantity_or_null, price_fen], ...], per billing period.
    tiers = models.JSONField(default=list, blank=True)
    # Temporary parking: free minutes, the charged period in minutes, and a cap per calendar day.
    free_minutes = models.PositiveIntegerField(default=0)
    period_minutes = models.PositiveIntegerField(default=60)
    daily_cap_fen = models.PositiveIntegerField(null=True, blank=True)
    basis = models.TextField(_("测算依据"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("收费标准")
        ordering = ["fee_item_id", "house_type", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["fee_item", "version"], name="fee_standard_version_unique"),
            models.CheckConstraint(condition=Q(unit_price_fen__gte=0), name="fee_standard_price_nonnegative"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="fee_standard_dates_ordered",
            ),
        ]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids, published_at__isnull=False)


class MeterReading(Timestamped):
    """A water/electricity/gas meter reading of one house. A reading lower than the one before is
    refused unless it starts a new meter (`meter_replaced`, with the old meter's final value)."""

    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="meter_readings")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("表类型"), max_length=20, choices=FeeKind.choices)
    read_on = models.DateField(_("抄表日期"))
    value = models.DecimalField(_("读数"), **QUANTITY)
    meter_replaced = models.BooleanField(_("换表"), default=False)
    old_meter_final = models.DecimalField(_("旧表止码"), null=True, blank=True, **QUANTITY)
    source = models.CharField(max_length=20, choices=ReadingSource.choices, default=ReadingSource.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("抄表读数")
        ordering = ["house_id", "kind", "read_on"]
        constraints = [
            models.UniqueConstraint(fields=["house", "kind", "read_on"], name="meter_reading_one_per_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="meter_reading_nonnegative"),
        ]


class BillingRun(Timestamped):
    """The bills of one fee item's period for a community: previewed, then posted once."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="billing_runs")
    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.PREVIEW)
    bill_count = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("出账批次")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fee_item", "period_start"],
                condition=Q(status="posted"),
                name="billing_run_posted_once",
            )
        ]


class Bill(Timestamped):
    """What one payer owes for one fee item and period of one house (or a temporary parking stay).

    `amount_fen` is the charge; what is still owed is amount − discount + late fee − paid.
    `lines` keeps the computation (area × price × months, tiers) that a resident can check.
    Changes go through conditional updates on `version`."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.PROTECT, related_name="bills"
    )
    payer = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="bills"
    )
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="bills")
    standard = models.ForeignKey(FeeStandard, on_delete=models.PROTECT, related_name="bills")
    run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="bills"
    )
    # A temporary parking stay's bills: paid at the exit, a top-up when the car left after the
    # grace period (services/stay_fees.py); one open at a time.
    parking_record_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # What another app sold (services/app_bills.py): "parking.pass", "services.booking", ... and its id.
    source = models.CharField(max_length=40, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    quantity = models.DecimalField(**QUANTITY)
    lines = models.JSONField(default=list)
    amount_fen = models.BigIntegerField()
    discount_fen = models.BigIntegerField(default=0)
    late_fee_fen = models.BigIntegerField(default=0)
    paid_fen = models.BigIntegerField(default=0)
    # A deposit bill (装修押金): how much of what was paid has left the deposit since, refunded
    # or kept as deductions; what is still held is paid − released (migration 0002_money_…).
    deposit_released_fen = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=BillStatus.choices, default=BillStatus.UNPAID)
    due_on = models.DateField()
    paid_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    version = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building", resident="house")

    class Meta:
        verbose_name = _("账单")
        ordering = ["house_id", "period_start", "id"]
        indexes = [
            models.Index(fields=["community", "status", "period_start"]),
            models.Index(fields=["house", "status"]),
            models.Index(fields=["building", "status"]),
        ]
        constraints = [
            # One live bill per house, item and first day: a run's bill per payer starts on that
            # payer's first day (services/runs.py); a second run is refused by billing_run_posted_once.
            models.UniqueConstraint(
                fields=["house", "fee_item", "period_start"],
                condition=~Q(status="void") & Q(source=""),
                name="bill_one_live_per_period",
            ),
            # One live bill for each thing another app sold; it is not a period's bill.
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(status="void") & ~Q(source=""),
                name="bill_one_live_per_source",
            ),
            models.UniqueConstraint(
                fields=["parking_record_id"],
                condition=Q(status__in=["unpaid", "partly_paid"]),
                name="bill_one_open_per_stay",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="bill_amount_nonnegative"),
            models.CheckConstraint(
                condition=Q(paid_fen__gte=0)
                & Q(discount_fen__gte=0)
                & Q(late_fee_fen__gte=0)
                & Q(
                    paid_fen__lte=models.F("amount_fen") - models.F("discount_fen") + models.F("late_fee_fen")
                ),
                name="bill_never_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(deposit_released_fen__gte=0) & Q(deposit_released_fen__lte=models.F("paid_fen")),
                name="bill_deposit_released_within_paid",
            ),
        ]

    @property
    def owed_fen(self) -> int:
        return self.amount_fen - self.discount_fen + self.late_fee_fen - self.paid_fen


# What a bill comes to, and what it still owes, as database expressions for conditional updates
# and sums (`Bill.owed_fen` in Python); bills still open.
DUE = models.F("amount_fen") - models.F("discount_fen") + models.F("late_fee_fen")
DUE_SQL = "(amount_fen - discount_fen + late_fee_fen)"  # DUE in hand-written SQL (test_settle_sql.py)
OWED = DUE - models.F("paid_fen")
OPEN = (BillStatus.UNPAID, BillStatus.PARTLY_PAID)


class HouseAccount(models.Model):
    """A house's prepaid balance (预存), kept in step with the ledger's prepayment account and
    changed only by conditional updates, so two payments never spend the same balance."""

    house = models.OneToOneField("registry.House", on_delete=models.CASCADE, related_name="billing_account")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    prepaid_fen = models.BigIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(prepaid_fen__gte=0), name="prepaid_nonnegative")]


class Payment(Timestamped):
    """Money received for bills (or as a prepayment), online or at the counter."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=PaymentPurpose.choices, default=PaymentPurpose.BILLS)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    amount_fen = models.BigIntegerField()
    refunded_fen = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    # Our order number, sent to the provider (商户订单号); unique across the installation.
    out_trade_no = models.CharField(max_length=32, unique=True)
    provider_txn_id = models.CharField(max_length=64, blank=True)
    # What a pending online order's QR encodes (WeChat Native's code_url, Alipay precreate's
    # qr_code), so that the payer can see it again from another device or a new session. Cleared
    # when the order is paid or closed; never shown once it has expired (`code_url_for`).
    code_url = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 代办: staff paying at the counter for a resident who is there in person or asked them to.
    on_behalf_of = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    desk_close = models.ForeignKey(
        "billing.CashDeskClose", null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    version = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("收款")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "status", "paid_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=models.F("amount_fen")),
                name="payment_refund_within_amount",
            ),
        ]

    @property
    def expires_at(self) -> datetime:
        """When an online order stops being payable (the provider is told the same time)."""
        return self.created_at + timedelta(minutes=settings.LINLI_PAY_ORDER_MINUTES)

    def code_url_for(self, user) -> str:
        """The order's QR for the one who placed it, while it can still be paid; "" for anyone
        else (a household member sees the order, not the code that pays it) and afterwards."""
        payable = self.status == PaymentStatus.PENDING and timezone.now() < self.expires_at
        return self.code_url if payable and user.pk == self.created_by_id else ""


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "bill"], name="allocation_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="allocation_positive"),
        ]


class ProviderNotification(models.Model):
    """Every notification a provider sent, verified or not: the idempotency key and the trail."""

    provider = models.CharField(max_length=20, choices=Channel.choices)
    notification_id = models.CharField(max_length=80)
    out_trade_no = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    verified = models.BooleanField(default=False)
    outcome = models.CharField(
        max_length=40
    )  # paid, duplicate, amount_mismatch, unknown_order, bad_signature …
    flagged = models.BooleanField(default=False)
    body = models.TextField(blank=True)  # the decrypted resource or form; never card data

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["out_trade_no"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], condition=Q(verified=True), name="notification_once"
            )
        ]


class Refund(Timestamped):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(_("退款原因"), max_length=200)
    out_refund_no = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # A deposit (装修押金) given back: finishing it takes the money out of the deposit held for
    # this bill (Dr deposits), and the bill stays paid; a failed one holds the deposit again.
    deposit_bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_refunds"
    )
    # Money handed back at the counter (cash, card, transfer) counts in the close (日结) of whoever
    # handed it back (`decided_by`): that desk expects that much less in that channel.
    desk_close = models.ForeignKey(
        "billing.CashDeskClose", null=True, blank=True, on_delete=models.SET_NULL, related_name="refunds"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(
        community="community", building="payment__house__building", resident="payment__house"
    )

    class Meta:
        verbose_name = _("退款")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive")]


class Waiver(Timestamped):
    """A discount on a bill (减免): requested by staff, applied only once a manager approves."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="waivers")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(_("减免原因"), max_length=200)
    status = models.CharField(max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="bill__building", resident="bill__house")

    class Meta:
        verbose_name = _("减免")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="waiver_amount_positive")]


class LedgerTransaction(models.Model):
    """One balanced posting: the sum of its entries' debits equals the sum of their credits."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)  # bill_issued, payment, prepay_applied, waiver, refund, void …
    memo = models.CharField(max_length=200, blank=True)
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    account = models.CharField(max_length=20, choices=Account.choices)
    # Receivable entries name their bill: verify_ledger checks each bill against its entries.
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Sub-account: the provider of a clearing entry, the fee kind of a revenue entry.
    sub = models.CharField(max_length=30, blank=True)
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    debit_fen = models.BigIntegerField(default=0)
    credit_fen = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["community", "account"]),
            models.Index(fields=["house", "account"]),
            models.Index(fields=["bill", "account"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit_fen__gt=0) & Q(credit_fen=0)) | (Q(debit_fen=0) & Q(credit_fen__gt=0)),
                name="ledger_entry_one_side",
            )
        ]


class CashDeskClose(Timestamped):
    """A staff member's daily close (日结): what the system says they took, per channel, against
    what they counted. It must balance, or the difference is recorded with a reason."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    expected = models.JSONField(default=dict)  # {"cash": fen, "card": fen, "transfer": fen}
    counted = models.JSONField(default=dict)
    difference_fen = models.BigIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("收银日结")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["staff", "community", "day"], name="desk_close_once")]


class Receipt(models.Model):
    """The electronic receipt of a payment; `verify_code` opens the public verification page."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=32, unique=True)
    verify_code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(
        community="community", building="payment__house__building", resident="payment__house"
    )


class Reminder(models.Model):
    """A reminder sent to a household about what it owes (FEE-4): the monthly cap counts these."""

    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)  # inbox, sms
    owed_fen = models.BigIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["house", "sent_at"])]


class StatementLine(models.Model):
    """One line of a provider's trade bill for a day, and what reconciliation made of it."""

    community = models.ForeignKey("core.Community", null=True, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20, choices=Channel.choices)
    day = models.DateField()
    out_trade_no = models.CharField(max_length=32)
    provider_txn_id = models.CharField(max_length=64, blank=True)
    amount_fen = models.BigIntegerField()
    kind = models.CharField(max_length=20, default="payment")  # payment, refund
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(max_length=20, choices=MatchResult.choices)

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "day", "out_trade_no", "kind"], name="statement_line_once"
            )
        ]


class SandboxTrade(models.Model):
    """The sandbox provider's own books: what its pay page collected and what it refunded, so
    its order query, refund and trade bill answer from records as a real provider's do."""

    kind = models.CharField(max_length=20, default="payment")  # payment, refund
    out_trade_no = models.CharField(max_length=32)
    out_refund_no = models.CharField(max_length=32, blank=True)
    transaction_id = models.CharField(max_length=64)
    amount_fen = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["out_trade_no"], condition=Q(kind="payment"), name="sandbox_paid_once"
            ),
            models.UniqueConstraint(
                fields=["out_refund_no"], condition=Q(kind="refund"), name="sandbox_refund_once"
            ),
        ]
