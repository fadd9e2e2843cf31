"""Core reads: communities as the user may reach them (the start of every community-level page
and operation), and the public existence of a community (its signing keys are public)."""

from linli.core.models import Community


def communities(user, action: str):
    return Community.objects.restrict(user, action)


def any_community():
    """Every community, for what is public by design (a community's public keys)."""
    return Community.objects.all()
