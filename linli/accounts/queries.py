"""Reads about the signed-in user themself."""

from django.db.models import Q
from django.utils import timezone

from linli.accounts.models import ApiToken, User
from linli.core.masking import mask_phone
from linli.core.models import Membership
from linli.core.restrict import scope_of
from linli.core.roles import Action, Role

TOKEN_VIEW = "token.view"


def live_memberships(user, community_id: int):
    """The community's current roles, as those who manage its team see them."""
    return (
        Membership.objects.restrict(user, Action.MEMBERS_CHANGE)
        .filter(community_id=community_id)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
    )


def staff_members(user, community_id: int):
    """The accounts holding a current role in the community."""
    return User.objects.filter(pk__in=live_memberships(user, community_id).values("user_id"))


def own_memberships(user) -> list[dict]:
    """The user's current roles; a membership is their own record, so no `restrict` needed."""
    today = timezone.localdate()
    rows = (
        Membership.objects.filter(user=user)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("community")
        .order_by("community_id", "role")
    )
    return [
        {
            "id": m.id,
            "community_id": m.community_id,
            "community_name": m.community.name,
            "role": m.role,
            "role_label": str(Role(m.role).label),
            "building_id": m.building_id,
            "grid_id": m.grid_id,
            "valid_until": m.valid_until,
        }
        for m in rows
    ]


def profile(user) -> dict:
    scope = scope_of(user)
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "phone": mask_phone(user.phone),
        "is_operator": user.is_operator,
        "elderly_mode": user.elderly_mode,
        "language": user.language,
        "totp_enabled": user.totp_enabled,
        "has_password": user.has_usable_password(),
        "memberships": own_memberships(user),
        "house_ids": sorted(scope.house_ids),
        "resident_community_ids": sorted(scope.resident_community_ids),
    }


def live_tokens(user):
    return ApiToken.objects.restrict(user, TOKEN_VIEW).filter(revoked_at__isnull=True).order_by("-id")
