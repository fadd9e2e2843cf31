"""Reads of data-sharing tokens and their calls for the console (on restrict(user,
SHARING_MANAGE): community admins of the community the token was issued in)."""

from linli.core import queries as core_queries
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.dashboards.models import SharingCall, SharingToken

RECENT_CALLS = 50


def tokens(user, community_id: int) -> list[SharingToken]:
    found = SharingToken.objects.restrict(user, Action.SHARING_MANAGE).filter(community_id=community_id)
    return list(found.prefetch_related("communities").order_by("-id"))


def recent_calls(user, community_id: int) -> list[SharingCall]:
    found = SharingCall.objects.restrict(user, Action.SHARING_MANAGE).filter(token__community_id=community_id)
    return list(found.select_related("token").order_by("-id")[:RECENT_CALLS])


def shareable_communities(user) -> list[tuple[int, str]]:
    """The communities whose data the user may give a city system: sharing.manage over the whole
    community."""
    scope = scope_of(user)
    found = core_queries.any_community()
    if not scope.is_operator:
        found = found.filter(pk__in=scope.communities_for(Action.SHARING_MANAGE))
    return list(found.order_by("id").values_list("id", "name"))
