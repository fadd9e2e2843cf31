"""/api/v1/workorders: patrol routes and runs, the guard's check-ins, maintenance plans and
emergency playbooks. Thin: reads through queries_patrols, writes through the services
(docs/patrols.md)."""

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from linli.core.http import community_for, get_or_404
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.workorders import queries_patrols as queries
from linli.workorders.models import Category, CheckIn, PatrolRun, Team
from linli.workorders.schemas_patrols import (
    CheckInIn,
    CheckInOut,
    PlanIn,
    PlanOut,
    PlaybookOut,
    RouteIn,
    RouteOut,
    RunFilter,
    RunOut,
    ScheduleIn,
    ScheduleOut,
    TriggeredOut,
    TriggerIn,
)
from linli.workorders.services import attachments, patrols, plans, playbooks

router = Router(tags=["workorders-patrols"])


def run_out(r: PatrolRun) -> dict:
    return {
        "id": r.pk,
        "route_id": r.route_id,
        "route": r.route.name,
        "due_at": r.due_at,
        "window_end": r.window_end,
        "status": r.status,
        "assignee_id": r.assignee_id,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "checked": r.checked,
        "checkpoints": r.checkpoints,
        "missed_checkpoints": r.missed_checkpoints,
    }


def check_in_out(c: CheckIn) -> dict:
    return {
        "id": c.pk,
        "run_id": c.run_id,
        "checkpoint_id": c.checkpoint_id,
        "checkpoint": c.checkpoint.name,
        "at": c.at,
        "note": c.note,
        "abnormal": c.abnormal,
        "has_photo": bool(c.photo),
        "request_id": c.request_id,
        "run_status": c.run.status,
    }


# --- routes and schedules (managers) ---------------------------------------------------------


@router.get("/communities/{community_id}/patrol-routes", response=list[RouteOut])
def routes(request, community_id: int):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return queries.routes(request.user, community_id)


@router.post("/communities/{community_id}/patrol-routes", response={201: RouteOut})
def create_route(request, community_id: int, payload: RouteIn):
    """A route with its checkpoints in walking order; each tag once in the community."""
    community_for(request, community_id, Action.WORKORDER_VIEW)
    team = get_or_404(Team.objects.filter(community_id=community_id), pk=payload.team_id)
    category = None
    if payload.report_category_id:
        category = get_or_404(
            Category.objects.filter(community_id=community_id, active=True), pk=payload.report_category_id
        )
    route = patrols.do_create_route(
        actor=request.user,
        community_id=community_id,
        name=payload.name,
        team=team,
        report_category=category,
        checkpoints=[c.dict() for c in payload.checkpoints],
    )
    return Status(201, queries.routes(request.user, community_id).get(pk=route.pk))


@router.post("/patrol-routes/{route_id}/schedules", response={201: ScheduleOut})
def add_schedule(request, route_id: int, payload: ScheduleIn):
    """When the route is walked: times of day, weekdays (0 = Monday; empty: every day), window."""
    route = get_or_404(queries.route_objects(request.user), pk=route_id)
    return Status(201, patrols.do_add_schedule(actor=request.user, route=route, **payload.dict()))


@router.get("/patrol-routes/{route_id}/runs")
def route_runs(request, route_id: int, page: Query[RunFilter]):
    """The route's runs, newest due first; missed ones list the checkpoints nobody checked."""
    route = get_or_404(queries.route_objects(request.user), pk=route_id)
    rows, cursor = keyset_page(
        queries.route_runs(request.user, route, missed_only=page.missed_only),
        cursor=page.cursor,
        limit=page.limit,
        newest_first=True,
        time_key="due_at",
    )
    return {"items": [run_out(r) for r in rows], "next_cursor": cursor}


# --- the guard ---------------------------------------------------------------------------------


@router.get("/communities/{community_id}/my-patrol-runs", response=list[RunOut])
def my_runs(request, community_id: int):
    """Today's runs of the guard: theirs, or free on a route of their team."""
    community_for(request, community_id, Action.WORKORDER_HANDLE)
    return [run_out(r) for r in queries.my_runs(request.user, community_id, timezone.localdate())]


@router.get("/patrol-runs/{run_id}/check-ins", response=list[CheckInOut])
def run_check_ins(request, run_id: int):
    run = get_or_404(queries.runs(request.user), pk=run_id)
    return [check_in_out(c) for c in run.check_ins.select_related("checkpoint", "run")]


@router.post("/patrol-runs/{run_id}/check-ins", response={201: CheckInOut})
def check_in(request, run_id: int, payload: CheckInIn):
    """A scanned tag: of this run's route, inside its window, once per checkpoint (else 409)."""
    run = get_or_404(queries.runs(request.user, Action.WORKORDER_HANDLE), pk=run_id)
    found = patrols.do_check_in(actor=request.user, run=run, **payload.dict())
    return Status(201, check_in_out(found))


@router.post("/patrol-check-ins/{check_in_id}/photo", response=CheckInOut)
def check_in_photo(request, check_in_id: int, file: File[UploadedFile]):
    """The photo of one's own check-in (re-encoded, EXIF removed)."""
    found = get_or_404(queries.check_ins(request.user, Action.WORKORDER_HANDLE), pk=check_in_id)
    data = file.read(attachments.MAX_PHOTO_BYTES + 1)
    return check_in_out(patrols.do_attach_check_in_photo(actor=request.user, check_in=found, data=data))


@router.get("/patrol-check-ins/{check_in_id}/photo")
def check_in_photo_file(request, check_in_id: int):
    found = get_or_404(queries.check_ins(request.user).exclude(photo=""), pk=check_in_id)
    response = HttpResponse(patrols.read_photo(found), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- maintenance plans -------------------------------------------------------------------------


@router.get("/communities/{community_id}/maintenance-plans", response=list[PlanOut])
def maintenance_plans(request, community_id: int):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return queries.plans(request.user).filter(community_id=community_id)


@router.post("/communities/{community_id}/maintenance-plans", response={201: PlanOut})
def create_plan(request, community_id: int, payload: PlanIn):
    """A work order of a maintenance category every `every_days` days from `next_due`."""
    community_for(request, community_id, Action.WORKORDER_VIEW)
    values = payload.dict()
    category = get_or_404(Category.objects.filter(community_id=community_id), pk=values.pop("category_id"))
    return Status(
        201, plans.do_create_plan(actor=request.user, community_id=community_id, category=category, **values)
    )


@router.post("/maintenance-plans/{plan_id}/deactivate", response=PlanOut)
def deactivate_plan(request, plan_id: int):
    plan = get_or_404(queries.plans(request.user), pk=plan_id)
    return plans.do_deactivate_plan(actor=request.user, plan=plan)


# --- emergency playbooks -----------------------------------------------------------------------


@router.get("/communities/{community_id}/playbooks", response=list[PlaybookOut])
def playbook_list(request, community_id: int):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return queries.playbooks(request.user, community_id)


@router.post("/communities/{community_id}/playbooks/defaults", response={201: list[PlaybookOut]})
def seed_playbooks(request, community_id: int):
    """Adds the standard playbooks (elevator entrapment, fire, flooding, gas) that are missing."""
    community_for(request, community_id, Action.WORKORDER_VIEW)
    playbooks.do_seed_playbooks(actor=request.user, community_id=community_id)
    return Status(201, queries.playbooks(request.user, community_id))


@router.post("/playbooks/{playbook_id}/trigger", response={201: TriggeredOut})
def trigger(request, playbook_id: int, payload: TriggerIn):
    """Opens the incident and all its tasks at once, each dispatched; returns the incident."""
    playbook = get_or_404(queries.playbook_objects(request.user), pk=playbook_id)
    incident = playbooks.do_trigger_playbook(actor=request.user, playbook=playbook, **payload.dict())
    return Status(
        201,
        {
            "id": incident.pk,
            "number": incident.number,
            "status": incident.status,
            "tasks": list(incident.tasks.order_by("id").values_list("id", flat=True)),
        },
    )
