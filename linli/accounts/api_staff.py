"""Staff accounts of a community over the API (a thin router over linli.accounts.services.staff)."""

from ninja import Router, Status

from linli.accounts import queries
from linli.accounts.models import User
from linli.accounts.services import staff
from linli.accounts.staff_schemas import (
    CommunityOpenIn,
    CommunityOpenOut,
    DisabledOut,
    InviteOut,
    StaffCreatedOut,
    StaffIn,
    StaffOut,
)
from linli.core.http import community_for, get_or_404
from linli.core.models import Community
from linli.core.roles import Action
from linli.registry.api import router as registry_router
from linli.registry.services import do_create_community

router = Router(tags=["staff"])


def _created(account: staff.StaffAccount) -> dict:
    return {"id": account.user.pk, "username": account.user.username, "invite_url": account.invite_url}


# On the registry's router: Ninja serves a path from the one router that has it, and `GET
# /communities` is the registry's. linli.api imports this module before it mounts that router.
@registry_router.post("/communities", response={201: CommunityOpenOut})
def create_community(request, data: CommunityOpenIn):
    """The community, with its first admin if given, in one request."""
    return Status(201, open_community(request, data))


def open_community(request, data: CommunityOpenIn) -> dict:
    details = data.dict(exclude={"admin"})
    if data.admin is None:
        return do_create_community(actor=request.user, **details)
    community, account = staff.do_open_community(
        actor=request.user,
        admin_username=data.admin.username,
        admin_name=data.admin.display_name,
        admin_phone=data.admin.phone,
        admin_sign_in=data.admin.sign_in,
        **details,
    )
    community.admin = _created(account)
    return community


@router.get("/communities/{community_id}/staff", response=list[StaffOut])
def list_staff(request, community_id: int):
    community = community_for(request, community_id, Action.MEMBERS_CHANGE)
    roles: dict[int, list[dict]] = {}
    for m in queries.live_memberships(request.user, community.id).order_by("id"):
        roles.setdefault(m.user_id, []).append(
            {"membership_id": m.pk, "role": m.role, "building_id": m.building_id, "grid_id": m.grid_id}
        )
    users = queries.staff_members(request.user, community.id).order_by("username")
    return [
        {
            "id": u.pk,
            "username": u.username,
            "display_name": u.display_name,
            "is_active": u.is_active,
            "password_set": u.has_usable_password(),
            "roles": roles[u.pk],
        }
        for u in users
    ]


@router.post("/communities/{community_id}/staff", response={201: StaffCreatedOut})
def create_staff(request, community_id: int, data: StaffIn):
    community = community_for(request, community_id, Action.MEMBERS_CHANGE)
    grants = [
        staff.RoleGrant(
            role=r.role,
            building=get_or_404(community.buildings.all(), pk=r.building_id) if r.building_id else None,
            grid=get_or_404(community.grids.all(), pk=r.grid_id) if r.grid_id else None,
        )
        for r in data.roles
    ]
    account = staff.do_create_staff_account(
        actor=request.user,
        community=community,
        username=data.username,
        display_name=data.display_name,
        phone=data.phone,
        grants=grants,
        sign_in=data.sign_in,
    )
    return Status(201, _created(account))


def _staff_member(request, community: Community, user_id: int) -> User:
    return get_or_404(queries.staff_members(request.user, community.id), pk=user_id)


@router.post("/communities/{community_id}/staff/{user_id}/invite", response=InviteOut)
def reinvite_staff(request, community_id: int, user_id: int):
    community = community_for(request, community_id, Action.MEMBERS_CHANGE)
    user = _staff_member(request, community, user_id)
    return {"invite_url": staff.do_reinvite_staff(actor=request.user, community=community, user=user)}


@router.post("/communities/{community_id}/staff/{user_id}/disable", response=DisabledOut)
def disable_staff(request, community_id: int, user_id: int):
    community = community_for(request, community_id, Action.MEMBERS_CHANGE)
    user = _staff_member(request, community, user_id)
    return {"deactivated": staff.do_disable_staff_account(actor=request.user, community=community, user=user)}
