"""Prepayment (预存) spent on a house's open bills, oldest due date first (then oldest bill).

A prepay payment is credited to the house's `HouseAccount` by `settle()`. Spending it is a
conditional update on the balance (never below zero) and on the bill (never past what it owes),
each bill in its own savepoint: two applies running at once never spend the same fen, and a
bill changed meanwhile (paid at the counter, voided) simply takes nothing.

Who calls it: the periodic job `apply_prepayments` (every minute) for every house with a
balance and an open bill — it catches every way a balance appears (a prepay, the leftover of
an overpaid order, a bill issued later) without hooking into `settle()`; the billing run's post
step for the houses it billed (`apply_prepayment_to_houses`), so new bills are settled from the
balance at once; staff with billing.collect on demand (`do_apply_prepayment`).
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from linli.billing.choices import Account, FeeKind
from linli.billing.models import OPEN, Bill, HouseAccount
from linli.billing.services import ledger
from linli.billing.services.money import open_bills
from linli.billing.services.settle import add_to_bill
from linli.core import audit
from linli.core.actor import Actor
from linli.core.events import publish
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.models import House
from linli.registry.queries import household_user_ids


def _spendable_bills(house_id: int):
    # A deposit is taken by an explicit act at the counter, never out of a fee prepayment.
    return (
        open_bills()
        .filter(house_id=house_id)
        .exclude(fee_item__kind=FeeKind.DEPOSIT)
        .order_by("due_on", "id")
    )


def _balance(house_id: int) -> int:
    return HouseAccount.objects.filter(house_id=house_id).values_list("prepaid_fen", flat=True).first() or 0


def _spend_on(bill: Bill, house_id: int, actor) -> int:
    """Moves what it can from the house's balance to one bill; returns the fen moved."""
    for _attempt in range(3):  # a concurrent apply changed the balance: read it again
        with transaction.atomic():
            fresh = Bill.objects.get(pk=bill.pk)
            take = min(_balance(house_id), fresh.owed_fen)
            if take <= 0 or fresh.status not in OPEN:
                return 0
            spent = HouseAccount.objects.filter(house_id=house_id, prepaid_fen__gte=take).update(
                prepaid_fen=F("prepaid_fen") - take
            )
            if not spent:
                continue
            if not add_to_bill(bill.pk, take):
                transaction.set_rollback(True)  # the bill moved under us; the balance stays
                continue
            ledger.post(
                community_id=bill.community_id,
                kind="prepay_applied",
                legs=[
                    ledger.debit(Account.PREPAYMENT, take, house_id=house_id),
                    ledger.credit(Account.RECEIVABLE, take, bill_id=bill.pk),
                ],
                bill=fresh,
                actor=actor,
                memo=f"bill {bill.pk}",
            )
            return take
    return 0


def apply_prepayment(house_id: int, *, actor=None) -> int:
    """Spends the house's prepaid balance on its open bills in order; returns the fen applied."""
    applied = 0
    for bill in _spendable_bills(house_id).only("id", "house_id", "community_id"):
        if _balance(house_id) <= 0:
            break
        applied += _spend_on(bill, house_id, actor)
    if applied:
        community_id = House.objects.filter(pk=house_id).values_list("community_id", flat=True).get()
        with transaction.atomic():
            publish(
                "billing.prepay_applied",
                {"house": house_id, "amount_fen": applied},
                users=household_user_ids(house_id),
                community_id=community_id,
            )
    return applied


def apply_prepayment_to_houses(house_ids: Iterable[int]) -> dict[int, int]:
    """For the billing run's post step: {house id: fen applied} for the houses that had a balance."""
    with_balance = HouseAccount.objects.filter(house_id__in=list(house_ids), prepaid_fen__gt=0)
    applied = {h: apply_prepayment(h) for h in with_balance.values_list("house_id", flat=True)}
    return {h: fen for h, fen in applied.items() if fen}


def houses_to_settle() -> list[int]:
    """Houses with a prepaid balance and an open bill it can pay."""
    owing = open_bills().exclude(fee_item__kind=FeeKind.DEPOSIT).values("house_id")
    return list(
        HouseAccount.objects.filter(prepaid_fen__gt=0, house_id__in=owing).values_list("house_id", flat=True)
    )


def do_apply_prepayment(*, actor: Actor, house: House) -> int:
    require(actor, Action.BILLING_COLLECT, house.community_id, house.building_id)
    applied = apply_prepayment(house.pk, actor=actor)
    if applied:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="prepay_applied",
                obj=house,
                community_id=house.community_id,
                after={"amount_fen": applied},
            )
    return applied
