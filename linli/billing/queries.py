"""Billing reads for a user: every one on `restrict()` or `.own()` (convention 2)."""

from django.db.models import Count, Prefetch, Q, Sum

from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, Payment, ProviderNotification, Refund, StatementLine
from linli.core.permissions import may
from linli.core.roles import Action
from linli.registry import queries as registry_queries

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


def payments(user, community_id: int):
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
