"""/api/v1/engage: the community convention (versions), violations with their evidence, the
household's appeal and its decision. Thin: reads through queries_convention, writes through
services.convention (docs/engage.md, "Points and the convention")."""

from django.http import Http404, HttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from linli.core.http import community_for
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.engage import queries_convention as queries
from linli.engage.models import Violation
from linli.engage.queries_points import may_read_community
from linli.engage.schemas_convention import (
    AppealDecisionIn,
    AppealIn,
    ConventionIn,
    ConventionOut,
    ConventionVersionOut,
    ViolationFilter,
    ViolationIn,
    ViolationOut,
)
from linli.engage.services import convention
from linli.workorders.services import attachments

router = Router(tags=["engage-convention"])


def violation_out(v: Violation) -> dict:
    return {
        "id": v.pk,
        "house_id": v.house_id,
        "house": v.house.label,
        "version_number": v.version.number,
        "article": v.article,
        "note": v.note,
        "points": v.points,
        "has_photo": bool(v.photo),
        "status": v.status,
        "appeal_deadline": v.appeal_deadline,
        "appeal_reason": v.appeal_reason,
        "appealed_at": v.appealed_at,
        "decision": v.decision,
        "decision_note": v.decision_note,
        "decided_at": v.decided_at,
        "deducted": v.deducted,
        "deducted_at": v.deducted_at,
        "created_at": v.created_at,
    }


def _violation(request, violation_id: int, action: str | None = None) -> Violation:
    found = (
        queries.violation(request.user, violation_id)
        if action is None
        else Violation.objects.restrict(request.user, action)
        .select_related("house__building", "house__unit", "version")
        .filter(pk=violation_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.get("/communities/{community_id}/convention", response=ConventionOut)
def current(request, community_id: int):
    """The convention in force and every earlier version, newest first."""
    if not may_read_community(request.user, community_id):
        raise Http404
    history = list(queries.versions(request.user, community_id))
    return {"current": history[0] if history else None, "history": history}


@router.post("/communities/{community_id}/convention", response={201: ConventionVersionOut})
def publish(request, community_id: int, payload: ConventionIn):
    """Publishes a new version (the previous ones stay as the history)."""
    community_for(request, community_id, Action.POINTS_MANAGE)
    return Status(
        201, convention.do_publish_convention(actor=request.user, community_id=community_id, **payload.dict())
    )


@router.get("/convention/versions/{convention_version_id}", response=ConventionVersionOut)
def version(request, convention_version_id: int):
    found = queries.version(request.user, convention_version_id)
    if found is None:
        raise Http404
    return found


@router.get("/convention/my/violations", response=list[ViolationOut])
def my_violations(request):
    """Violations recorded against my households, with their appeal state."""
    return [violation_out(v) for v in queries.my_violations(request.user)[:100]]


@router.get("/communities/{community_id}/violations")
def violations(request, community_id: int, page: Query[ViolationFilter]):
    """Violations, newest first; `status=appealed` is the appeals waiting for a decision."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    rows, cursor = keyset_page(
        queries.violations(request.user, community_id, page.status or ""),
        cursor=page.cursor,
        limit=page.limit,
        newest_first=True,
    )
    return {"items": [violation_out(v) for v in rows], "next_cursor": cursor}


@router.post("/communities/{community_id}/violations", response={201: ViolationOut})
def record(request, community_id: int, payload: ViolationIn):
    """Against a household, citing an article of the convention in force; the household is told
    and may appeal within the community's window. Add the photo with POST …/photo."""
    community_for(request, community_id, Action.POINTS_MANAGE)
    found = convention.do_record_violation(actor=request.user, community_id=community_id, **payload.dict())
    return Status(201, violation_out(_violation(request, found.pk)))


@router.get("/violations/{violation_id}", response=ViolationOut)
def violation(request, violation_id: int):
    return violation_out(_violation(request, violation_id))


@router.post("/violations/{violation_id}/photo", response=ViolationOut)
def attach_photo(request, violation_id: int, file: File[UploadedFile]):
    """The evidence photo (re-encoded, EXIF removed), once."""
    found = _violation(request, violation_id, Action.POINTS_MANAGE)
    data = file.read(attachments.MAX_PHOTO_BYTES + 1)
    return violation_out(convention.do_attach_violation_photo(actor=request.user, violation=found, data=data))


@router.get("/violations/{violation_id}/photo")
def photo(request, violation_id: int):
    found = _violation(request, violation_id)
    if not found.photo:
        raise Http404
    response = HttpResponse(convention.read_photo(found), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post("/violations/{violation_id}/appeal", response=ViolationOut)
def appeal(request, violation_id: int, payload: AppealIn):
    """The household's appeal, inside the window (`appeal_window_closed` after it)."""
    found = _violation(request, violation_id)
    return violation_out(convention.do_appeal(actor=request.user, violation=found, reason=payload.reason))


@router.post("/violations/{violation_id}/decision", response=ViolationOut)
def decide(request, violation_id: int, payload: AppealDecisionIn):
    """upheld (the points are deducted now) or overturned, with a note; needs appeal.decide."""
    found = _violation(request, violation_id, Action.APPEAL_DECIDE)
    return violation_out(convention.do_decide_appeal(actor=request.user, violation=found, **payload.dict()))
