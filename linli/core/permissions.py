"""Write-side checks (convention 4): may this actor act on this community/building?"""

from django.utils.translation import gettext_lazy as _

from linli.core.actor import Actor
from linli.core.errors import Forbidden
from linli.core.restrict import scope_of


def may(actor: Actor, action: str, community_id: int, building_id: int | None = None) -> bool:
    scope = scope_of(actor)
    if scope.is_operator or community_id in scope.communities_for(action):
        return True
    return building_id is not None and building_id in scope.buildings_for(action)


def require(actor: Actor, action: str, community_id: int, building_id: int | None = None) -> None:
    if not may(actor, action, community_id, building_id):
        raise Forbidden(_("您没有执行此操作的权限"))


def require_operator(actor: Actor) -> None:
    if not scope_of(actor).is_operator:
        raise Forbidden(_("仅平台运营方可执行此操作"))
