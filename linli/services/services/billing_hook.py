"""Where an in-app bill would be raised. Today a service is paid on site (the provider records the
fee and `paid_on_site` at completion) and a venue's deposit is held and returned by staff at the
counter; billing's integration (a bill the household pays in the app, a deposit through
billing's deposits) is added here by the lead engineer, and nowhere else."""

from django.db.models import Model


def raise_in_app_bill(*, kind: str, obj: Model, house_id: int, amount_fen: int) -> None:
    """Called inside the caller's transaction when something is owed through the app: a
    completed service not paid on site (`kind="service"`), a venue booking's deposit
    (`kind="venue_deposit"`). Deliberately a no-op until billing is wired in."""
    return None
