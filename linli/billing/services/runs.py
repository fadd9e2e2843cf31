"""Billing runs (FEE-1): one fee item's bills of one period for a whole community.

Preview computes everything and writes no bill (only the run row, so that it can be posted);
post computes again and writes the bills in bulk, then a balanced ledger posting for them
(Dr receivable per bill / Cr revenue, or deposits). A second run of a period that is posted is
refused by the database itself (`billing_run_posted_once`), so two clerks posting at once cannot
bill a house twice.

Who pays follows the registry day by day (`pricing.payer_segments`): the owner (the first owning
occupancy by id that covers the day), or the tenant whose lease has `tenant_pays_fees` where the
item's payer rule is `occupant`. An ended occupancy counts for its days (a sale ends the seller's
the day before the handover) unless it was ended as a registration mistake (`correction`).

A fee charged by the day (property, monthly parking: `DAILY`) bills every day on which the house
has an owner exactly once, to whoever pays on that day, as a property company settles fees at a
handover (交房/过户): a house sold on the 15th gets the seller's bill for the 1st–14th and the
buyer's for the 15th to the end, each pro-rated by its days and rounded once. Days without an
owner are not billed; the preview lists them (`Computed.unowned`).

Why a bill per payer, not one bill with a line per payer: the seller owes their days, and the
buyer must not be billed for days before they owned the house. It needs no new constraint: each
such bill's `period_start`/`period_end` are its payer's days, so the bills of one house differ in
their first day, which `bill_one_live_per_period` (house, item, period_start) allows. What makes a
second run of a period create nothing, also with two clerks at once, is `billing_run_posted_once`
(the run, not the bills); besides, a house with a live bill of the item on any of the days is
skipped ("本期已有账单"). A re-issue bills the voided bill's days by the same rule
(`compute(days=...)`), one bill per payer of those days.

Metered, shared-area and fixed fees are for the period as a whole: one bill per house, to the
payer of its last owned day (a handover reading that splits the usage is not done); a house with
no owner then gets a bill without payer, listed in the preview (`without_payer`).

The standard is the published version for the house's type (or the item's all-types version) in
force on the period's first day; the whole period uses it, and the bill records it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.access.queries import closed_parking_stays
from linli.accounts.models import User
from linli.billing import pricing
from linli.billing.choices import METERED, Account, BillStatus, Cycle, FeeKind, PayerRule, RunStatus
from linli.billing.models import Bill, BillingRun, FeeItem, FeeStandard, HouseAccount, MeterReading
from linli.billing.services import amounts, ledger
from linli.billing.services.prepayment import apply_prepayment_to_houses
from linli.billing.services.settle import credit_prepayment
from linli.billing.services.setup import standards_in_force
from linli.core import audit
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.notify.services import notify
from linli.registry.choices import OWNING, EndReason, Relation
from linli.registry.models import House, Occupancy
from linli.registry.queries import household_user_ids_of

CYCLE_MONTHS: dict[str, int] = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3, Cycle.YEARLY: 12}
METER_UNITS: dict[str, str] = {FeeKind.WATER: "m³", FeeKind.GAS: "m³", FeeKind.ELECTRICITY: "kWh"}
# Charged by the day (pricing.per_month): one bill per payer, for the days each of them pays.
DAILY = (FeeKind.PROPERTY, FeeKind.PARKING_MONTHLY)
SAMPLES = 5
BATCH = 5000


@dataclass
class Skipped:
    house_id: int
    label: str
    reason: str


@dataclass
class Unowned:
    """Days of a house that nobody owned: a daily fee bills none of them."""

    house_id: int
    label: str
    first: date
    last: date


@dataclass
class NewBill:
    """A bill about to be written, with the model's column names: a run makes 100,000 of these,
    and a plain object costs a tenth of a model instance (written by ledger.insert_rows)."""

    community_id: int
    building_id: int
    house_id: int
    payer_id: int | None
    fee_item_id: int
    standard_id: int
    period_start: date
    period_end: date
    quantity: Decimal
    lines: list
    amount_fen: int
    due_on: date
    run_id: int | None = None
    parking_record_id: int | None = None
    replaces_id: int | None = None
    discount_fen: int = 0
    late_fee_fen: int = 0
    paid_fen: int = 0
    status: str = "unpaid"  # BillStatus.UNPAID, as the plain text a bulk insert writes
    paid_at: None = None
    void_reason: str = ""
    version: int = 0
    created_at: None = None
    updated_at: None = None
    pk: int | None = None

    def model(self) -> Bill:
        return Bill(**{k: v for k, v in vars(self).items() if k != "pk"})


@dataclass
class Computed:
    """What a run would bill: unsaved bills, and the houses left out with the reason why."""

    period_start: date
    period_end: date
    bills: list[NewBill] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)  # standard id → its version
    skipped: list[Skipped] = field(default_factory=list)
    unowned: list[Unowned] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(b.amount_fen for b in self.bills)

    @property
    def without_payer(self) -> list[str]:
        return [self.labels[b.house_id] for b in self.bills if b.payer_id is None and b.house_id]

    def samples(self) -> list[dict]:
        return [
            {
                "house": self.labels.get(b.house_id or 0, ""),
                "amount_fen": b.amount_fen,
                "lines": b.lines,
                "standard_version": self.versions[b.standard_id],
            }
            for b in self.bills[:SAMPLES]
        ]


def period_of(fee_item: FeeItem, start: date) -> tuple[date, date]:
    if fee_item.kind == FeeKind.PARKING_TEMPORARY:
        raise ServiceError("run_not_for_parking", _("临时停车费按停车记录出账，不能按周期出账"))
    if fee_item.cycle == Cycle.ONCE:
        return start, start
    if start.day != 1:
        raise ServiceError(
            "invalid_period", _("账期应从某月1日开始"), fields={"period_start": _("应为某月1日")}
        )
    return start, pricing.cycle_end(start, CYCLE_MONTHS[fee_item.cycle])


def _already_billed(fee_item: FeeItem, start: date, end: date) -> Conflict:
    return Conflict(
        "period_already_billed",
        _("%(item)s %(start)s 至 %(end)s 已出账，不会重复生成账单")
        % {"item": fee_item.name, "start": start, "end": end},
    )


@dataclass
class Holders:
    """Who may pay for one house in the period: its owning occupancies and, where the item's
    payer rule is `occupant`, the leases whose tenant pays the fees, each in occupancy order."""

    owners: list[pricing.Span] = field(default_factory=list)
    tenants: list[pricing.Span] = field(default_factory=list)


def _holders(fee_item: FeeItem, houses, first: date, last: date) -> dict[int, Holders]:
    relations = Q(relation__in=OWNING)
    if fee_item.payer_rule == PayerRule.OCCUPANT:
        relations |= Q(relation=Relation.TENANT, tenant_pays_fees=True)
    occupancies = (
        Occupancy.objects.filter(relations, house_id__in=houses.values("pk"), valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .exclude(end_reason=EndReason.CORRECTION)  # never held the house: entered by mistake
        .order_by("id")
        .values_list("house_id", "person_id", "relation", "valid_from", "valid_to")
    )
    holders: dict[int, Holders] = defaultdict(Holders)
    for house_id, person_id, relation, valid_from, valid_to in occupancies.iterator(chunk_size=BATCH):
        of_house = holders[house_id]
        (of_house.tenants if relation == Relation.TENANT else of_house.owners).append(
            pricing.Span(person_id, valid_from, valid_to)
        )
    return holders


def _usages(
    fee_item: FeeItem, house_ids: list[int], start: date, end: date, *, whole: bool
) -> dict[int, Decimal | str]:
    """Each house's usage over the period: from its last reading before the period to its last
    reading in it; a reason (str) where that cannot be known."""
    readings = MeterReading.objects.filter(community_id=fee_item.community_id, kind=fee_item.kind)
    if not whole:
        readings = readings.filter(house_id__in=house_ids)
    # Each meter's last reading before the period: readings are taken in rounds, so the last
    # dates are few, and the rows of those dates are read once (a correlated subquery per
    # reading was most of a 100,000-house run).
    last_of = dict(
        readings.filter(read_on__lt=start)
        .values("house_id")
        .annotate(last=Max("read_on"))
        .values_list("house_id", "last")
    )
    chains: dict[int, list[pricing.Reading]] = defaultdict(list)
    columns = ("house_id", "read_on", "value", "meter_replaced", "old_meter_final")
    baseline = readings.filter(read_on__in=set(last_of.values())).values_list(*columns)
    for house_id, read_on, value, replaced, final in baseline.iterator(chunk_size=BATCH):
        if last_of.get(house_id) == read_on:
            chains[house_id].append(pricing.Reading(value, replaced, final))
    in_period = readings.filter(read_on__gte=start, read_on__lte=end).order_by("house_id", "read_on")
    latest: dict[int, bool] = {}
    for house_id, _day, value, replaced, final in in_period.values_list(*columns).iterator(chunk_size=BATCH):
        if house_id not in chains:
            chains[house_id].append(pricing.Reading(value))  # a first reading is the starting point
            continue
        chains[house_id].append(pricing.Reading(value, replaced, final))
        latest[house_id] = True
    return {
        house_id: pricing.usage_over(chains[house_id])
        if latest.get(house_id)
        else gettext("本期无抄表读数或缺少起始读数")
        for house_id in house_ids
    }


def compute(
    fee_item: FeeItem,
    start: date,
    *,
    total_fen: int | None = None,
    house_ids=None,
    days: tuple[date, date] | None = None,
) -> Computed:
    """The bills of one period (unsaved), for every house of the community or the given ones;
    `days` bills only those days of the period (a re-issue: the voided bill's days)."""
    start, end = period_of(fee_item, start)
    first, last = days or (start, end)
    result = Computed(start, end)
    standards = standards_in_force(fee_item, start)
    result.versions = {s.pk: s.version for s in standards.values()}
    houses = House.objects.filter(community_id=fee_item.community_id)
    if house_ids is not None:
        houses = houses.filter(pk__in=house_ids)
    rows = list(
        houses.order_by("id").values_list(
            "id", "building_id", "type", "area", "building__name", "unit__name", "number"
        )
    )
    result.labels = {r[0]: f"{r[4]}-{r[5]}-{r[6]}" for r in rows}
    ids = [r[0] for r in rows]
    billed = set(
        Bill.objects.filter(
            fee_item=fee_item, period_start__lte=last, period_end__gte=first, house_id__in=houses.values("pk")
        )
        .exclude(status=BillStatus.VOID)
        .values_list("house_id", flat=True)
    )
    holders = _holders(fee_item, houses, first, last)
    usages = _usages(fee_item, ids, start, end, whole=house_ids is None) if fee_item.kind in METERED else {}
    due_on = start + timedelta(days=fee_item.due_days)

    eligible: list[tuple[int, int, Decimal, FeeStandard]] = []
    for house_id, building_id, house_type, area, *_label in rows:
        standard = standards.get(house_type) or standards.get("")
        usage = usages.get(house_id)
        if house_id in billed:
            reason = gettext("本期已有账单")
        elif standard is None:
            reason = gettext("没有适用于该房屋类型的已公布收费标准")
        elif isinstance(usage, str):
            reason = usage
        else:
            eligible.append((house_id, building_id, area, standard))
            continue
        result.skipped.append(Skipped(house_id, result.labels[house_id], reason))

    shares = {}
    if fee_item.kind == FeeKind.SHARED_AREA:
        if total_fen is None:
            raise ServiceError(
                "total_required", _("公摊费出账须填写本期公摊总额"), fields={"total_fen": _("必填")}
            )
        shares = pricing.allocate(total_fen, {h: area for h, _b, area, _s in eligible}) if eligible else {}
        whole_area = sum((area for _h, _b, area, _s in eligible), Decimal(0))

    label = gettext("公摊总额 %(total)s 分按面积分摊（最大余数法）") % {"total": total_fen}

    def price(
        house_id: int, segment: pricing.Segment, area: Decimal, standard: FeeStandard
    ) -> pricing.Priced:
        kind = fee_item.kind
        if kind == FeeKind.PROPERTY:
            return pricing.per_month(
                start=segment.first,
                end=segment.last,
                price_fen=standard.unit_price_fen,
                quantity=area,
                unit="㎡",
            )
        if kind == FeeKind.PARKING_MONTHLY:
            return pricing.per_month(start=segment.first, end=segment.last, price_fen=standard.unit_price_fen)
        if kind in METERED:
            usage = cast(Decimal, usages[house_id])  # a house without usage was skipped
            return pricing.tiered(
                usage=usage, tiers=standard.tiers, price_fen=standard.unit_price_fen, unit=METER_UNITS[kind]
            )
        if kind == FeeKind.SHARED_AREA:
            share = shares[house_id]
            line = {"label": label, "quantity": str(area), "unit": "㎡", "total_area": str(whole_area)}
            return pricing.Priced(share, area, [{**line, "amount_fen": share}])
        return pricing.fixed(price_fen=standard.unit_price_fen, label=fee_item.name)  # one-off, deposit

    def to_bill(house_id: int) -> list[pricing.Segment]:
        """The stretches of days that get a bill, each with its payer."""
        of_house = holders.get(house_id) or Holders()
        segments = pricing.payer_segments(first, last, of_house.owners, of_house.tenants)
        if fee_item.kind in DAILY:
            for nobody in (s for s in segments if s.payer_id is None):
                result.unowned.append(Unowned(house_id, result.labels[house_id], nobody.first, nobody.last))
            return [s for s in segments if s.payer_id is not None]
        # Usage and shares are the period's, not a day's: the payer of the last owned day.
        payers = [s.payer_id for s in segments if s.payer_id is not None]
        return [pricing.Segment(payers[-1] if payers else None, start, end)]

    # Houses of one floor plan (area), days and usage cost the same: priced once.
    priced_by: dict[tuple, pricing.Priced] = {}
    for house_id, building_id, area, standard in eligible:
        for segment in to_bill(house_id):
            key = (
                (house_id,)
                if fee_item.kind == FeeKind.SHARED_AREA
                else (standard.pk, segment.first, segment.last, area, usages.get(house_id))
            )
            priced = priced_by.get(key) or priced_by.setdefault(key, price(house_id, segment, area, standard))
            if priced.amount_fen == 0:
                result.skipped.append(Skipped(house_id, result.labels[house_id], gettext("本期金额为0")))
                continue
            result.bills.append(
                NewBill(
                    community_id=fee_item.community_id,
                    building_id=building_id,
                    house_id=house_id,
                    payer_id=segment.payer_id,
                    fee_item_id=fee_item.pk,
                    standard_id=standard.pk,
                    period_start=segment.first,
                    period_end=segment.last,
                    quantity=priced.quantity,
                    lines=priced.lines,
                    amount_fen=priced.amount_fen,
                    due_on=due_on,
                )
            )
    return result


@dataclass
class Preview:
    run: BillingRun
    computed: Computed


@transaction.atomic
def do_preview_run(*, actor: User, fee_item: FeeItem, period_start: date, total_fen=None) -> Preview:
    """Compute a period's bills without writing any; keeps a preview run to post."""
    require(actor, Action.BILLING_SETUP, fee_item.community_id)
    if not fee_item.active:
        raise ServiceError("fee_item_inactive", _("该收费项目已停用，不能出账"))
    start, end = period_of(fee_item, period_start)
    if BillingRun.objects.filter(fee_item=fee_item, period_start=start, status=RunStatus.POSTED).exists():
        raise _already_billed(fee_item, start, end)
    if total_fen is not None:
        total_fen = amounts.fen(total_fen, field="total_fen")
    computed = compute(fee_item, start, total_fen=total_fen)
    run = BillingRun.objects.create(
        community_id=fee_item.community_id,
        fee_item=fee_item,
        period_start=start,
        period_end=end,
        bill_count=len(computed.bills),
        total_fen=computed.total_fen,
        created_by=actor,
    )
    return Preview(run, computed)


def write_bills(bills: list, *, community_id: int, kind: str, memo: str, actor=None, run=None) -> list:
    """Insert bills in bulk and post them as one balanced transaction: Dr receivable per bill,
    Cr revenue (deposits for a deposit) with the fee kind as its sub-account. The one way a bill
    enters the ledger: a run's bills, a re-issue, temporary parking, a one-off charge or a
    deposit (charges.py). A run's bills (NewBill) go in with ledger.insert_rows and their ids
    are read back by house (one live bill per house); other bills (Bill) with bulk_create, and
    one such bill is named on the whole posting (a deposit is then held for its bill)."""
    if not bills:
        return bills
    if run is None:
        Bill.objects.bulk_create(bills, batch_size=BATCH)
    else:
        ledger.insert_rows(Bill, bills)
        ids = dict(Bill.objects.filter(run=run).values_list("house_id", "id").iterator(chunk_size=BATCH))
        for bill in bills:
            bill.pk = ids[bill.house_id]
    total = sum(b.amount_fen for b in bills)
    credit_account = Account.DEPOSITS if kind == FeeKind.DEPOSIT else Account.REVENUE
    one = bills[0] if len(bills) == 1 and isinstance(bills[0], Bill) else None
    ledger.post(
        community_id=community_id,
        kind="bill_issued",
        legs=[
            *(
                ledger.debit(Account.RECEIVABLE, b.amount_fen, bill_id=b.pk, house_id=b.house_id)
                for b in bills
            ),
            ledger.credit(
                credit_account,
                total,
                sub=kind,
                house_id=one.house_id if one else None,
                bill_id=one.pk if one else None,
            ),
        ],
        bill=one,
        actor=actor,
        memo=memo,
    )
    return bills


def _write_run_bills(bills: list[NewBill], *, run: BillingRun, kind: str, actor: User) -> None:
    """A run's bills in bulk. write_bills reads a run's bill ids back by house, so each house's
    first bill goes in with the bulk, and the few that follow it (a payer who took over in the
    period) after it, as models, in a second balanced posting."""
    seen: set[int] = set()
    firsts: list[NewBill] = []
    takeovers: list[NewBill] = []
    for bill in bills:
        bill.run_id = run.pk
        (takeovers if bill.house_id in seen else firsts).append(bill)
        seen.add(bill.house_id)
    memo = f"run {run.pk}"
    write_bills(firsts, community_id=run.community_id, kind=kind, memo=memo, actor=actor, run=run)
    write_bills(
        [bill.model() for bill in takeovers], community_id=run.community_id, kind=kind, memo=memo, actor=actor
    )


def do_post_run(*, actor: User, run: BillingRun) -> Computed:
    """Post a previewed run: its bills and their ledger posting, all or nothing, once a period."""
    require(actor, Action.BILLING_SETUP, run.community_id)
    fee_item = run.fee_item
    try:
        with transaction.atomic():
            posted = BillingRun.objects.filter(pk=run.pk, status=RunStatus.PREVIEW).update(
                status=RunStatus.POSTED, posted_at=timezone.now()
            )
            if not posted:
                raise Conflict("run_not_preview", _("该批次已出账或已放弃，请重新预览"))
            total = run.total_fen if fee_item.kind == FeeKind.SHARED_AREA else None
            computed = compute(fee_item, run.period_start, total_fen=total)
            _write_run_bills(computed.bills, run=run, kind=fee_item.kind, actor=actor)
            BillingRun.objects.filter(pk=run.pk).update(
                bill_count=len(computed.bills), total_fen=computed.total_fen
            )
            audit.record(
                actor=actor,
                action="post",
                obj=run,
                community_id=run.community_id,
                after={
                    "fee_item": fee_item.pk,
                    "period": [run.period_start, run.period_end],
                    "bills": len(computed.bills),
                    "total_fen": computed.total_fen,
                },
            )
            _tell_households(run, fee_item)
    except IntegrityError:
        # Another run of this period was posted meanwhile (the unique constraints said so).
        raise _already_billed(fee_item, run.period_start, run.period_end) from None
    run.refresh_from_db()
    # Houses that prepaid settle their new bills at once (not at the next minute's job).
    with_balance = HouseAccount.objects.filter(community_id=run.community_id, prepaid_fen__gt=0)
    billed = {b.house_id for b in computed.bills}
    apply_prepayment_to_houses(set(with_balance.values_list("house_id", flat=True)) & billed)
    return computed


def _tell_households(run: BillingRun, fee_item: FeeItem) -> None:
    """The households billed hear of it in one message for the run: in the app, and on WeChat
    where the operator mapped `billing.issued` to a template (linli.channels)."""
    notify(
        users=household_user_ids_of(Bill.objects.filter(run=run).values("house_id")),
        kind="billing.issued",
        title=gettext("新账单"),
        body=gettext("%(item)s（%(start)s 至 %(end)s）的账单已出，请及时缴纳。")
        % {"item": fee_item.name, "start": run.period_start, "end": run.period_end},
        link=reverse("billing:home"),
        community_id=run.community_id,
    )


@transaction.atomic
def do_discard_run(*, actor: User, run: BillingRun) -> BillingRun:
    require(actor, Action.BILLING_SETUP, run.community_id)
    if not BillingRun.objects.filter(pk=run.pk, status=RunStatus.PREVIEW).update(status=RunStatus.DISCARDED):
        raise Conflict("run_not_preview", _("该批次已出账或已放弃，请重新预览"))
    run.refresh_from_db()
    return run


# --- void and re-issue --------------------------------------------------------------------------


@dataclass
class Voided:
    bill: Bill
    to_prepayment_fen: int
    reissued: list[Bill]  # in day order; the first names the bill it replaces


@transaction.atomic
def do_void_bill(*, actor: User, bill: Bill, reason: str, reissue: bool = False) -> Voided:
    """Void a bill with a reason; with `reissue`, bill the same house, item and days again from
    today's registry, readings and standards: one bill per payer of those days, as a run would
    (the first names the one it replaces).

    The ledger reverses the bill: Cr receivable what is still owed, Dr revenue (deposits) the
    charge and late-fee income the late fee, Cr discount any waiver. What was already paid is not
    lost nor refunded here: it moves to the house's prepayment (Cr prepayment), where the
    re-issued or the next bill takes it. A paid parking stay has no house to hold it: refused."""
    require(actor, Action.BILLING_SETUP, bill.community_id)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 200:
        raise ServiceError("reason_required", _("请填写作废原因（1到200个字）"), fields={"reason": _("必填")})
    current = void(bill, reason, actor)
    new = _reissue(actor, current) if reissue else []
    current.refresh_from_db()
    return Voided(current, current.paid_fen, new)


def void(bill: Bill, reason: str, actor: User | None) -> Bill:
    """Void in the caller's transaction (see do_void_bill); `actor` None: the system, for an app
    whose booking behind the bill was cancelled (app_bills.py)."""
    current = Bill.objects.select_for_update().get(pk=bill.pk)
    if current.status == BillStatus.VOID:
        raise Conflict("bill_already_void", _("该账单已作废"))
    if current.paid_fen and current.house_id is None:
        raise Conflict("bill_paid_without_house", _("已缴费的临时停车账单不能作废，请走退款"))
    updated = (
        Bill.objects.filter(pk=current.pk, version=current.version)
        .exclude(status=BillStatus.VOID)
        .update(
            status=BillStatus.VOID, void_reason=reason, version=current.version + 1, updated_at=timezone.now()
        )
    )
    if not updated:
        raise Conflict("bill_changed", _("账单已被他人修改，请刷新后重试"))
    kind = current.fee_item.kind
    if current.paid_fen and current.house_id is not None:
        credit_prepayment(house_id=current.house_id, community_id=current.community_id, fen=current.paid_fen)
    ledger.post(
        community_id=current.community_id,
        kind="void",
        legs=[
            ledger.debit(
                Account.DEPOSITS if kind == FeeKind.DEPOSIT else Account.REVENUE, current.amount_fen, sub=kind
            ),
            ledger.debit(Account.LATE_FEE, current.late_fee_fen),
            ledger.credit(Account.DISCOUNT, current.discount_fen),
            ledger.credit(
                Account.RECEIVABLE, current.owed_fen, bill_id=current.pk, house_id=current.house_id
            ),
            ledger.credit(Account.PREPAYMENT, current.paid_fen, house_id=current.house_id),
        ],
        bill=current,
        actor=actor,
        memo=reason,
    )
    audit.record(
        actor=actor,
        action="void",
        obj=current,
        community_id=current.community_id,
        before={"status": current.status, "amount_fen": current.amount_fen, "paid_fen": current.paid_fen},
        after={"status": BillStatus.VOID, "reason": reason, "to_prepayment_fen": current.paid_fen},
    )
    return current


def _reissue(actor: User, old: Bill) -> list[Bill]:
    if old.house_id is None:
        raise ServiceError("reissue_not_possible", _("临时停车账单不能重开"))
    total = old.amount_fen if old.fee_item.kind == FeeKind.SHARED_AREA else None  # keep the house's share
    # A payer's bill starts on its own first day; its period is the run's.
    period_start = old.run.period_start if old.run else old.period_start
    computed = compute(
        old.fee_item,
        period_start,
        total_fen=total,
        house_ids=[old.house_id],
        days=(old.period_start, old.period_end),
    )
    if not computed.bills:
        raise ServiceError(
            "reissue_not_possible", _("无法重开账单：%(reason)s") % {"reason": _why_not_billed(computed)}
        )
    new = [bill.model() for bill in computed.bills]
    new[0].replaces = old
    for bill in new:
        bill.run_id = old.run_id
    write_bills(
        new, community_id=old.community_id, kind=old.fee_item.kind, memo=f"reissue of {old.pk}", actor=actor
    )
    for bill in new:
        audit.record(
            actor=actor,
            action="reissue",
            obj=bill,
            community_id=old.community_id,
            after={"replaces": old.pk, "amount_fen": bill.amount_fen, "payer": bill.payer_id},
        )
    return new


def _why_not_billed(computed: Computed) -> str:
    if computed.skipped:
        return computed.skipped[0].reason
    if computed.unowned:
        nobody = computed.unowned[0]
        return gettext("%(first)s 至 %(last)s 房屋无业主，不计费") % {
            "first": nobody.first,
            "last": nobody.last,
        }
    return ""


# --- temporary parking --------------------------------------------------------------------------


@dataclass
class ParkingBilled:
    bills: list[Bill]
    free: int  # stays within the free minutes: nothing to bill
    without_standard: int  # stays on a day no published standard covers

    @property
    def total_fen(self) -> int:
        return sum(b.amount_fen for b in self.bills)


@transaction.atomic
def do_bill_parking(*, actor: User, fee_item: FeeItem) -> ParkingBilled:
    """Bill every closed temporary parking stay of the community not billed yet: one bill per
    stay (no house, no payer: the driver pays at the exit), under the published standard in force
    on the day of exit. Running it again bills only stays that ended since."""
    require(actor, Action.BILLING_SETUP, fee_item.community_id)
    if fee_item.kind != FeeKind.PARKING_TEMPORARY:
        raise ServiceError("not_parking_item", _("请选择临时停车费项目"), fields={"fee_item": ""})
    billed = Bill.objects.filter(community_id=fee_item.community_id, parking_record_id__isnull=False)
    stays = closed_parking_stays(fee_item.community_id).exclude(pk__in=billed.values("parking_record_id"))
    result = ParkingBilled([], 0, 0)
    standards: dict[date, FeeStandard | None] = {}
    for record_id, entered_at, exited_at in stays.values_list("id", "entered_at", "exited_at").iterator(
        chunk_size=BATCH
    ):
        day = timezone.localtime(exited_at).date()
        if day not in standards:
            standards[day] = standards_in_force(fee_item, day).get("")
        standard = standards[day]
        if standard is None:
            result.without_standard += 1
            continue
        priced = pricing.parking_fee_under(standard, entered_at, exited_at)
        if not priced.amount_fen:
            result.free += 1
            continue
        result.bills.append(
            Bill(
                community_id=fee_item.community_id,
                fee_item=fee_item,
                standard=standard,
                parking_record_id=record_id,
                period_start=timezone.localtime(entered_at).date(),
                period_end=day,
                quantity=priced.quantity,
                lines=priced.lines,
                amount_fen=priced.amount_fen,
                due_on=day,
            )
        )
    try:
        with transaction.atomic():
            write_bills(
                result.bills,
                community_id=fee_item.community_id,
                kind=fee_item.kind,
                memo="temporary parking",
                actor=actor,
            )
    except IntegrityError:
        raise Conflict("parking_billing_busy", _("临时停车账单正在由他人生成，请稍后重试")) from None
    audit.record(
        actor=actor,
        action="bill_parking",
        obj=fee_item,
        community_id=fee_item.community_id,
        after={"bills": len(result.bills), "total_fen": result.total_fen, "free": result.free},
    )
    return result
