"""Every read of billing data that reaches a user, on `restrict()` (or `.own()` for a
resident's own houses). Each area appends its functions under its own header."""

from datetime import date, datetime, time

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from linli.billing.choices import COUNTER, BillStatus, FeeKind, PaymentStatus, RefundStatus
from linli.billing.models import (
    DUE,
    OPEN,
    OWED,
    Bill,
    BillingRun,
    CashDeskClose,
    FeeItem,
    FeeStandard,
    HouseAccount,
    LedgerEntry,
    MeterReading,
    Payment,
    ProviderNotification,
    Receipt,
    Refund,
    Reminder,
    StatementLine,
    Waiver,
)
from linli.core.dbrouter import reading_from_replica
from linli.core.permissions import may
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.registry.models import House
from linli.registry.queries import my_houses

# --- money ---


def money_bills(user, action: str = Action.BILLING_VIEW):
    return Bill.objects.restrict(user, action).select_related("house__building", "house__unit", "fee_item")


def money_houses(user):
    """Houses whose bills the user may see: staff in scope, a resident their own homes."""
    return House.objects.restrict(user, Action.BILLING_VIEW).select_related("building", "unit")


def money_fee_items(user, community_id: int):
    return FeeItem.objects.restrict(user, Action.BILLING_VIEW).filter(community_id=community_id)


def waivers(user):
    return Waiver.objects.restrict(user, Action.BILLING_VIEW).select_related(
        "bill__house__building", "bill__house__unit", "bill__fee_item", "requested_by", "decided_by"
    )


def deposits(user, community_id: int):
    return money_bills(user).filter(community_id=community_id, fee_item__kind=FeeKind.DEPOSIT)


def one_off_charges(user, community_id: int):
    return money_bills(user).filter(community_id=community_id, fee_item__kind=FeeKind.ONE_OFF)


def my_prepaid(user) -> list[tuple]:
    """(house, balance in fen) for each of the resident's own houses, none left out."""
    houses = list(my_houses(user))
    balances = dict(
        HouseAccount.objects.own(user).filter(house__in=houses).values_list("house_id", "prepaid_fen")
    )
    return [(house, balances.get(house.pk, 0)) for house in houses]


def house_ledger(house_id: int):
    """The ledger entries of one house, newest first: its bills' receivable and its prepayment.
    Call only for a house the user may see (via a restricted lookup)."""
    return (
        LedgerEntry.objects.filter(Q(bill__house_id=house_id) | Q(house_id=house_id))
        .select_related("transaction")
        .order_by("-id")
    )


def reminders(user, community_id: int):
    # Reminders are no user-facing object of their own: whoever sees the community's bills sees them.
    bills_seen = money_bills(user).filter(community_id=community_id).values("house_id")
    return Reminder.objects.filter(community_id=community_id, house_id__in=bills_seen).order_by("-id")


"""Billing reads. Every one starts from restrict(user, action) or own(user) (convention 2)."""


# --- counter ---

SEARCH_LIMIT = 20


def app_bill(source: str, source_id: int) -> Bill | None:
    """The live bill another app raised for what it sold (services/app_bills.py): its status,
    amount, paid_fen and paid_at say whether the thing is paid. No scope check: the app asks
    about its own object, which it has already shown only to those who may see it."""
    return Bill.objects.filter(source=source, source_id=source_id).exclude(status=BillStatus.VOID).first()


def bills_kind(community_id: int, kind: str) -> bool:
    """The community has an active fee item of this kind: it bills such things in the app."""
    return FeeItem.objects.filter(community_id=community_id, kind=kind, active=True).exists()


def bills(user) -> QuerySet[Bill]:
    return Bill.objects.restrict(user, Action.BILLING_VIEW)


def payments(user) -> QuerySet[Payment]:
    return Payment.objects.restrict(user, Action.BILLING_VIEW)


def counter_houses(user, community_id: int, q: str) -> list[House]:
    """The counter's one search box: a house number, or a resident's name prefix or full phone
    (the registry's blind index), each answer a house with its current household."""
    q = q.strip()
    if not q:
        return []
    found = {h.pk: h for h in registry_queries.houses_by_number(user, community_id, q)}
    people = registry_queries.with_current_houses(
        user, registry_queries.search_people(user, community_id, q)
    )[:SEARCH_LIMIT]
    for person in people:
        for occupancy in person.current:
            found.setdefault(occupancy.house_id, occupancy.house)
    return list(found.values())[:SEARCH_LIMIT]


def billing_houses(user) -> QuerySet[House]:
    """Houses whose bills the user may see: staff in scope, or the people living there."""
    return House.objects.restrict(user, Action.BILLING_VIEW).select_related("building", "unit")


def counter_house(user, house_id: int) -> House:
    """A house with its current household, if the user may see its bills (else DoesNotExist)."""
    if not billing_houses(user).filter(pk=house_id).exists():
        raise House.DoesNotExist
    return registry_queries.house_with_household(user, house_id)


def open_bills(user, house_id: int) -> list[Bill]:
    return list(
        bills(user)
        .filter(house_id=house_id, status__in=OPEN)
        .select_related("fee_item")
        .order_by("period_start", "id")
    )


def prepaid_fen(user, house_id: int) -> int:
    account = HouseAccount.objects.restrict(user, Action.BILLING_VIEW).filter(house_id=house_id).first()
    return account.prepaid_fen if account else 0


def counter_payment(user, house_id: int, out_trade_no: str) -> Payment | None:
    """The counter payment this user already took under an order number, if any."""
    return (
        payments(user)
        .filter(house_id=house_id, created_by=user, out_trade_no=out_trade_no, status=PaymentStatus.PAID)
        .select_related("receipt")
        .first()
    )


def receipts(user) -> QuerySet[Receipt]:
    return Receipt.objects.restrict(user, Action.BILLING_VIEW).select_related(
        "payment__house__building",
        "payment__house__unit",
        "payment__payer",
        "payment__on_behalf_of",
        "community",
    )


def my_receipts(user) -> QuerySet[Receipt]:
    """The receipts of the houses the user lives in (whatever roles they also hold)."""
    return Receipt.objects.own(user).select_related(
        "payment__house__building", "payment__house__unit", "community"
    )


def receipt_by_code(verify_code: str) -> Receipt | None:
    """The public verification page's read: the code is the capability (no sign-in)."""
    return (
        Receipt.objects.filter(verify_code=verify_code)
        .select_related(
            "payment__payer",
            "payment__on_behalf_of",
            "payment__house__building",
            "payment__house__unit",
            "community",
        )
        .first()
    )


def desk_closes(user, community_id: int) -> QuerySet[CashDeskClose]:
    """A manager (billing.approve) sees every close of the community; a cashier their own."""
    scope = scope_of(user)
    mine = CashDeskClose.objects.filter(community_id=community_id, staff=user)
    if scope.covers_community(Action.BILLING_APPROVE, community_id):
        return (CashDeskClose.objects.restrict(user, Action.BILLING_VIEW) | mine).filter(
            community_id=community_id
        )
    return mine


def unclosed_counter_payments(user, community_id: int, day: date) -> QuerySet[Payment]:
    """What this staff member took at the counter up to the end of `day` and has not closed
    yet: a payment taken after yesterday's close rolls into today's."""
    until = timezone.make_aware(datetime.combine(day, time.max))
    return Payment.objects.filter(
        community_id=community_id,
        created_by=user,
        channel__in=COUNTER,
        status=PaymentStatus.PAID,
        desk_close__isnull=True,
        paid_at__lte=until,
    )


def unclosed_counter_refunds(user, community_id: int, day: date) -> QuerySet[Refund]:
    """What this staff member handed back at the counter up to the end of `day` and has not
    closed yet: refunds of cash, card or transfer payments they finished (the approver hands the
    money back; a deposit refund is its manager's), wherever the payment was taken."""
    until = timezone.make_aware(datetime.combine(day, time.max))
    return Refund.objects.filter(
        community_id=community_id,
        decided_by=user,
        payment__channel__in=COUNTER,
        status=RefundStatus.DONE,
        desk_close__isnull=True,
        done_at__lte=until,
    )


# --- reports: aggregated in SQL, one query each, whatever the community's size ---


@reading_from_replica()
def arrears_by_building(user, community_id: int) -> list:
    """Per building: how many houses owe, how much, since when (oldest period first)."""
    return list(
        bills(user)
        .filter(community_id=community_id, status__in=OPEN)
        .values("building_id", "building__name")
        .annotate(houses=Count("house_id", distinct=True), owed=Sum(OWED), oldest=Min("period_start"))
        .filter(owed__gt=0)
        .order_by("oldest", "building__name")
    )


@reading_from_replica()
def arrears_houses(user, community_id: int, building_id: int | None = None) -> list:
    """Who owes what: one row per house with its total owed, bill count and oldest unpaid
    period, oldest first. One grouped query, no per-house reads."""
    qs = bills(user).filter(community_id=community_id, status__in=OPEN)
    if building_id is not None:
        qs = qs.filter(building_id=building_id)
    return list(
        qs.values("house_id", "house__building__name", "house__unit__name", "house__number")
        .annotate(
            owed=Sum(OWED),
            count=Count("id"),
            oldest=Min("period_start"),
            payer=Max("payer__name"),
        )
        .filter(owed__gt=0)
        .order_by("oldest", "house_id")
    )


@reading_from_replica()
def collection_by_month(user, community_id: int, start: date, end: date) -> list:
    """Billed and collected per building and period start (void bills left out), summed in SQL.
    Grouped by the start date itself, not by a truncated month: SQLite truncates dates through a
    Python function called per row, and a community's bills start on few distinct days (the 1st,
    and the odd pro-rated move-in); the caller folds the days into months."""
    return list(
        bills(user)
        .filter(community_id=community_id, period_start__gte=start, period_start__lte=end)
        .exclude(status=BillStatus.VOID)
        .values("building_id", "building__name", "period_start")
        .annotate(due=Sum(DUE), paid=Sum("paid_fen"))
        .order_by("period_start", "building__name")
    )


def statement_bills(base: QuerySet[Bill], house_id: int, start: date, end: date) -> list[Bill]:
    return list(
        base.filter(house_id=house_id, period_start__lte=end, period_end__gte=start)
        .select_related("fee_item")
        .order_by("period_start", "id")
    )


def statement_payments(base: QuerySet[Payment], house_id: int, start: date, end: date) -> list[Payment]:
    return list(
        base.filter(
            house_id=house_id,
            status=PaymentStatus.PAID,
            paid_at__date__gte=start,
            paid_at__date__lte=end,
        )
        .select_related("receipt")
        .order_by("paid_at", "id")
    )


def owed_now(base: QuerySet[Bill], house_id: int) -> int:
    return base.filter(house_id=house_id, status__in=OPEN).aggregate(s=Sum(OWED))["s"] or 0


# --- pay ---


def my_open_bills_by_house(user) -> list:
    """The resident's houses, each with `open_bills` (what is still owed, oldest first) and
    `owed_fen`. Two queries whatever the number of houses."""
    open_bills = (
        Bill.objects.own(user)
        .filter(status__in=[BillStatus.UNPAID, BillStatus.PARTLY_PAID])
        .select_related("fee_item")
        .order_by("due_on", "id")
    )
    houses = list(
        registry_queries.my_houses(user).prefetch_related(
            Prefetch("bills", queryset=open_bills, to_attr="open_bills")
        )
    )
    for house in houses:
        house.owed_fen = sum(b.owed_fen for b in house.open_bills)
    return houses


def my_payments(user):
    return Payment.objects.own(user).select_related("house__building", "house__unit").order_by("-id")


def my_order(user, out_trade_no: str) -> Payment | None:
    return Payment.objects.own(user).filter(out_trade_no=out_trade_no).first()


def payable_order(user, out_trade_no: str) -> Payment | None:
    """An order a cashier page may take: the user's own, or one without a house (a parking
    stay's, which whoever holds its link pays, as a provider's cashier would take it)."""
    houseless = Payment.objects.filter(out_trade_no=out_trade_no, house__isnull=True).first()
    if houseless is not None or not user.is_authenticated:
        return houseless
    return my_order(user, out_trade_no)


def community_payments(user, community_id: int):
    return (
        Payment.objects.restrict(user, Action.BILLING_VIEW)
        .filter(community_id=community_id)
        .exclude(status=PaymentStatus.PENDING)  # an order not paid yet is not money received
        .select_related("house__building", "house__unit")
    )


def refunds(user, community_id: int):
    return (
        Refund.objects.restrict(user, Action.BILLING_VIEW)
        .filter(community_id=community_id)
        .select_related("payment__house__building", "payment__house__unit")
    )


def _statement_scope(user, community_id: int) -> Q:
    """Reconciliation is a manager's (billing.approve). A line names its payment's community; a
    line the provider has and we do not (extra) names none and shows to every manager."""
    if not may(user, Action.BILLING_APPROVE, community_id):
        return Q(pk__in=[])
    return Q(community_id=community_id) | Q(community__isnull=True)


def flagged_notifications(user, community_id: int):
    """Notifications staff should look at: forged, wrong amount, unknown order, paid after close."""
    if not may(user, Action.BILLING_APPROVE, community_id):
        return ProviderNotification.objects.none()
    theirs = Payment.objects.exclude(community_id=community_id).values("out_trade_no")
    return ProviderNotification.objects.filter(flagged=True).exclude(out_trade_no__in=theirs)


def statement_days(user, community_id: int) -> list:
    """A report per day and provider: how many lines and how much money in each result."""
    return list(
        StatementLine.objects.filter(_statement_scope(user, community_id))
        .values("day", "provider", "result")
        .annotate(n=Count("id"), fen=Sum("amount_fen"))
        .order_by("-day", "provider", "result")
    )


def statement_lines(user, community_id: int, day):
    return StatementLine.objects.filter(_statement_scope(user, community_id), day=day).order_by(
        "result", "id"
    )


# --- setup ---


def fee_items(user, action: str = Action.BILLING_VIEW):
    return FeeItem.objects.restrict(user, action)


def fee_standards(user, action: str = Action.BILLING_VIEW):
    return FeeStandard.objects.restrict(user, action).select_related("fee_item")


def meter_readings(user, house_id: int):
    return (
        MeterReading.objects.restrict(user, Action.BILLING_VIEW)
        .filter(house_id=house_id)
        .order_by("kind", "-read_on")
    )


def billing_runs(user, action: str = Action.BILLING_VIEW):
    return BillingRun.objects.restrict(user, action).select_related("fee_item")


def bills_to_correct(user):
    """Bills a user may void and re-issue (billing setup in their community)."""
    return Bill.objects.restrict(user, Action.BILLING_SETUP).select_related("fee_item", "standard")


def collection(community_id: int, start: date, end: date) -> dict[str, int]:
    """What bills for periods starting in [start, end] asked and what was paid on them, in fen,
    for the whole community (dashboards: no row leaves this)."""
    return collection_among([community_id], start, end)


def collection_among(community_ids, start: date, end: date) -> dict[str, int]:
    """collection() of several communities together (a street's screen), in one read."""
    found = _collected(community_ids, start, end).aggregate(due=Sum(DUE), paid=Sum("paid_fen"))
    return {"due": found["due"] or 0, "paid": found["paid"] or 0}


def collection_by_period(community_ids, start: date, end: date) -> dict[date, dict[str, int]]:
    """collection() of the communities together per period start in [start, end], in one grouped
    read: {period start: {due, paid}} in fen (dashboards' chart of collection by month)."""
    rows = (
        _collected(community_ids, start, end)
        .values("period_start")
        .annotate(due=Sum(DUE), paid=Sum("paid_fen"))
        .order_by("period_start")
    )
    return {r["period_start"]: {"due": r["due"] or 0, "paid": r["paid"] or 0} for r in rows}


def _collected(community_ids, start: date, end: date) -> QuerySet[Bill]:
    return Bill.objects.filter(
        community_id__in=list(community_ids), period_start__gte=start, period_start__lte=end
    ).exclude(status=BillStatus.VOID)


def unpaid_bills(user, community_id: int) -> int:
    """Bills of the community still (partly) unpaid in the user's scope (the console home)."""
    return bills(user).filter(community_id=community_id, status__in=OPEN).count()


def collection_rate_this_month(user, community_id: int) -> str | None:
    """Paid ÷ due of the bills whose period starts this month, in the user's scope, as "93.5%";
    None when nothing is due yet (the console home)."""
    today = timezone.localdate()
    found = (
        bills(user)
        .filter(community_id=community_id, period_start__gte=today.replace(day=1), period_start__lte=today)
        .exclude(status=BillStatus.VOID)
        .aggregate(due=Sum(DUE), paid=Sum("paid_fen"))
    )
    if not found["due"]:
        return None
    return f"{found['paid'] * 100 / found['due']:.1f}%"
