"""Who may read and arrange the site map: reading needs stats.view over the whole community (a
role narrowed to some buildings would see the others on it), arranging screen.manage."""

from linli.core.http import get_or_404
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.dashboards import queries


def readable(user, community_id: int) -> Community:
    """The community if the user may read its map, else 404."""
    return get_or_404(queries.stats_communities(user), pk=community_id)


def may_arrange(user, community_id: int) -> bool:
    return scope_of(user).covers_community(Action.SCREEN_MANAGE, community_id)
