"""Reads of the channels app for a user, on `restrict()`."""

from linli.channels.models import StaffChannel
from linli.core.restrict import scope_of
from linli.core.roles import Action


def staff_channel(user, community_id: int) -> StaffChannel | None:
    """The community's staff channel setting (unsaved with kind "none" if never chosen) for one
    who may set it up for the whole community; None for anyone else."""
    if not scope_of(user).covers_community(Action.CHANNELS_SETUP, community_id):
        return None
    found = (
        StaffChannel.objects.restrict(user, Action.CHANNELS_SETUP).filter(community_id=community_id).first()
    )
    return found or StaffChannel(community_id=community_id)
