"""Billing reads. Every one starts from restrict(user, action) (convention 2)."""

from linli.billing.models import Bill, BillingRun, FeeItem, FeeStandard, MeterReading
from linli.core.roles import Action

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
