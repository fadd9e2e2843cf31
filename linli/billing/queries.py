"""Every read of billing data that reaches a user, on `restrict()` (or `.own()` for a
resident's own houses). Each area appends its functions under its own header."""

from django.db.models import Q

from linli.billing.choices import FeeKind
from linli.billing.models import Bill, FeeItem, HouseAccount, LedgerEntry, Reminder, Waiver
from linli.core.roles import Action
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


def prepaid_fen(house_id: int) -> int:
    """A house's balance; call only for a house the user may see (via a restricted lookup)."""
    return HouseAccount.objects.filter(house_id=house_id).values_list("prepaid_fen", flat=True).first() or 0


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
