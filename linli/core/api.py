from django.db import connection
from django.utils import timezone
from ninja import Query, Router, Status

from linli.core import queries
from linli.core.http import community_for, get_or_404
from linli.core.monitoring import health as monitoring_health
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schemas import AuditFilter, AuditOut, HealthOut, MembershipIn, MembershipOut, PiiAccessOut
from linli.core.services import do_add_membership, do_end_membership

router = Router(tags=["core"])


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None, exclude_none=True)
def health(request):
    checks = monitoring_health.checks()
    status = monitoring_health.overall(checks)
    return Status(
        503 if status == monitoring_health.DOWN else 200,
        {
            "status": status,
            "version": "0.1.0",
            "database": connection.vendor,
            "time": timezone.now(),
            "checks": {name: {"status": check.status, **check.figures} for name, check in checks.items()},
        },
    )


@router.get("/communities/{community_id}/audit", response=dict)
def list_audit(request, community_id: int, filters: Query[AuditFilter]):
    community_for(request, community_id, Action.AUDIT_VIEW)
    qs = queries.audit_entries(request.user).filter(community_id=community_id)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True)
    return {"items": [AuditOut.model_validate(r).model_dump() for r in rows], "next_cursor": nxt}


@router.get("/communities/{community_id}/pii-access", response=dict)
def list_pii_access(request, community_id: int, filters: Query[AuditFilter]):
    community_for(request, community_id, Action.AUDIT_VIEW)
    qs = queries.pii_accesses(request.user).filter(community_id=community_id)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True)
    return {"items": [PiiAccessOut.model_validate(r).model_dump() for r in rows], "next_cursor": nxt}


@router.get("/communities/{community_id}/memberships", response=list[MembershipOut])
def list_memberships(request, community_id: int):
    community_for(request, community_id, Action.MEMBERS_CHANGE)
    return list(queries.memberships(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/memberships", response={201: MembershipOut})
def add_membership(request, community_id: int, data: MembershipIn):
    community = community_for(request, community_id, Action.MEMBERS_CHANGE)
    user = get_or_404(queries.active_users(), pk=data.user_id)
    building = get_or_404(community.buildings.all(), pk=data.building_id) if data.building_id else None
    grid = get_or_404(community.grids.all(), pk=data.grid_id) if data.grid_id else None
    return Status(
        201,
        do_add_membership(
            actor=request.user,
            community=community,
            user=user,
            role=data.role,
            building=building,
            grid=grid,
            valid_until=data.valid_until,
        ),
    )


@router.delete("/memberships/{membership_id}", response={204: None})
def end_membership(request, membership_id: int):
    membership = get_or_404(queries.memberships(request.user), pk=membership_id)
    do_end_membership(actor=request.user, membership=membership)
    return Status(204, None)
