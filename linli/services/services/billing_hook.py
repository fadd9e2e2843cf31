"""Where services meet billing: what a household owes through the app becomes a bill of its
house (billing's `app_bills`), paid online from the resident's bills or at the counter.

- a service completed and not paid on site: a one-off bill (`services.booking`);
- a venue booking's deposit: a deposit bill (`services.venue_deposit`), listed with billing's
  deposits, where staff refund it after the venue is handed back.

A community whose billing has no fee item of that kind has chosen the offline way: the provider
is paid on site and the deposit is held at the counter, as before."""

from django.db.models import Model

from linli.billing import queries as billing_queries
from linli.billing.services import app_bills
from linli.billing.services.app_bills import FeeKind
from linli.registry.models import House

KINDS = {
    "service": ("services.booking", FeeKind.ONE_OFF),
    "venue_deposit": ("services.venue_deposit", FeeKind.DEPOSIT),
}


def raise_in_app_bill(
    *, kind: str, obj: Model, house_id: int, amount_fen: int, label: str, payer_person_id=None
):
    """In the caller's transaction; the bill, or None where the community bills nothing of that kind."""
    source, fee_kind = KINDS[kind]
    community_id = obj.community_id  # type: ignore[attr-defined]
    if not billing_queries.bills_kind(community_id, fee_kind):
        return None
    return app_bills.issue_app_bill(
        community_id=community_id,
        house=House.objects.get(pk=house_id),
        payer_person_id=payer_person_id,
        kind=fee_kind,
        amount_fen=amount_fen,
        label=label,
        source=source,
        source_id=obj.pk,
    )


def in_app_bill(kind: str, obj: Model):
    """The live bill raised for `obj`, if any."""
    return billing_queries.app_bill(KINDS[kind][0], obj.pk)


def cancel_in_app_bill(kind: str, obj: Model, reason: str):
    """A cancelled booking's unpaid bill is voided; a paid one stays for a refund (see app_bills)."""
    return app_bills.cancel_app_bill(source=KINDS[kind][0], source_id=obj.pk, reason=reason)
