"""/api/v1/workorders: residents report and follow their requests, handlers work their queue,
the desk dispatches, managers set up categories, SLAs, teams and prices. Thin: reads through
queries, writes through services (docs/workorders.md)."""

from datetime import timedelta
from typing import Literal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from linli.accounts import queries as accounts_queries
from linli.billing import queries as billing_queries
from linli.core.errors import ServiceError
from linli.core.http import community_for, get_or_404
from linli.core.pagination import keyset_page
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.schema_types import Id, Int
from linli.grid import queries as grid_queries
from linli.registry.models import Building
from linli.workorders import queries
from linli.workorders.choices import OPEN, Stage
from linli.workorders.models import Category, Handler, Request, Team
from linli.workorders.schemas import (
    ActionIn,
    AttachmentOut,
    BillIn,
    BoardOut,
    CategoryIn,
    CategoryOut,
    ChargeIn,
    ContactOut,
    DutyIn,
    HandlerIn,
    HandlerOut,
    PriceIn,
    PriceOut,
    RatingIn,
    ReportIn,
    RequestDetailOut,
    RequestFilter,
    SettingsIn,
    SettingsOut,
    SlaIn,
    SlaSummaryOut,
    StaffReportIn,
    TeamIn,
    TeamOut,
)
from linli.workorders.services import attachments, charges, contact, flow, intake, setup

router = Router(tags=["workorders"])
StageIn = Literal[tuple(Stage.values)]  # type: ignore[valid-type]


def out(r: Request) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "community_id": r.community_id,
        "category_id": r.category_id,
        "category": r.category.name,
        "kind": r.kind,
        "source": r.source,
        "priority": r.priority,
        "status": r.status,
        "status_label": r.get_status_display(),
        "description": r.description,
        "answers": r.answers,
        "building_id": r.building_id,
        "building": r.building.name if r.building_id else "",
        "house_id": r.house_id,
        "house": str(r.house) if r.house_id else "",
        "place": r.place,
        "plan_x": r.plan_x,
        "plan_y": r.plan_y,
        "preferred_time": r.preferred_time,
        "contact": contact.masked(r),
        "team_id": r.team_id,
        "assignee_id": r.assignee_id,
        "hops": r.hops,
        "respond_due": r.respond_due,
        "resolve_due": r.resolve_due,
        "responded_at": r.responded_at,
        "resolved_at": r.resolved_at,
        "closed_at": r.closed_at,
        "response_overdue": r.response_overdue,
        "resolution_overdue": r.resolution_overdue,
        "escalated": r.escalated_at is not None,
        "rating": r.rating,
        "rating_tags": r.rating_tags,
        "reopen_count": r.reopen_count,
        "charge_fen": r.charge_fen,
        "bill_id": r.bill_id or None,
        "created_at": r.created_at,
    }


def detail(user, r: Request) -> dict:
    # The reporter sees roles, not staff names, unless they are staff who see the request anyway.
    for_reporter = r.reporter_id == user.pk and not queries.requests(user).filter(pk=r.pk).exists()
    events = [
        {
            "at": e.at,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
            "actor": queries.actor_label(e, r, for_reporter=for_reporter),
        }
        for e in queries.timeline(r)
    ]
    return {
        **out(r),
        "timeline": events,
        "attachments": list(r.attachments.all()),
        "actions": flow.allowed_actions(r, user),
    }


def _visible(request, request_id: int) -> Request:
    found = queries.visible_request(request.user, request_id)
    if found is None:
        raise Http404
    return found


def _page(rows_and_cursor):
    rows, cursor = rows_and_cursor
    return {"items": [out(r) for r in rows], "next_cursor": cursor}


# --- residents -------------------------------------------------------------------------------


def _of_community(request, community_id: int) -> bool:
    """True for staff who see work orders in the community, False for its residents; else 404."""
    scope = scope_of(request.user)
    if scope.may_in_community(Action.WORKORDER_VIEW, community_id):
        return True
    if community_id in scope.resident_community_ids:
        return False
    raise Http404


@router.get("/categories", response=list[CategoryOut])
def categories(request, community: Id):
    """The categories a resident may report in (or all, for staff of the community)."""
    if _of_community(request, community):
        return queries.categories(request.user, community)
    return queries.categories_for_residents(request.user, community)


@router.post("/requests", response={201: RequestDetailOut})
def report(request, payload: ReportIn):
    """A resident's report: their house (repairs), or a building or point on the site plan."""
    r = intake.do_report(actor=request.user, **payload.dict())
    return Status(201, detail(request.user, r))


@router.get("/my/requests")
def my_requests(request, page: Query[RequestFilter]):
    rows = queries.my_requests(request.user)
    if page.open_only:
        rows = rows.filter(status__in=OPEN)
    return _page(keyset_page(rows, cursor=page.cursor, limit=page.limit, newest_first=True))


@router.get("/requests/{request_id}", response=RequestDetailOut)
def request_detail(request, request_id: int):
    return detail(request.user, _visible(request, request_id))


@router.post("/requests/{request_id}/actions/{action}", response=RequestDetailOut)
def act(request, request_id: int, action: str, payload: ActionIn):
    """One move of the state machine (docs/workorders.md lists who may do which)."""
    r = _visible(request, request_id)
    handler = team = None
    if payload.handler_id:
        handler = queries.handlers(request.user, r.community_id).filter(pk=payload.handler_id).first()
        if handler is None:
            raise ServiceError("handler_required", _("请选择处理人"), fields={"handler_id": _("不存在")})
    if payload.team_id:
        team = queries.teams(request.user, r.community_id).filter(pk=payload.team_id).first()
        if team is None:
            raise ServiceError("team_required", _("请选择转派的班组或部门"), fields={"team_id": _("不存在")})
    r = flow.do_transition(
        actor=request.user, request=r, action=action, reason=payload.reason, handler=handler, team=team
    )
    return detail(request.user, r)


@router.post("/requests/{request_id}/rating", response=RequestDetailOut)
def rate(request, request_id: int, payload: RatingIn):
    r = _visible(request, request_id)
    r = flow.do_rate(
        actor=request.user, request=r, rating=payload.rating, tags=payload.tags, comment=payload.comment
    )
    return detail(request.user, r)


@router.post("/requests/{request_id}/attachments", response={201: AttachmentOut})
def attach(
    request,
    request_id: int,
    file: File[UploadedFile],
    stage: Form[StageIn] = Stage.REPORT,
    share_location: Form[bool] = False,
):
    """A photo (re-encoded, EXIF removed) or a short video; by the reporter or the assignee."""
    r = _visible(request, request_id)
    if request.user.pk not in (r.reporter_id, r.assignee_id):
        raise Http404
    data = file.read(attachments.MAX_VIDEO_BYTES + 1)
    return Status(
        201,
        attachments.do_attach(
            actor=request.user, request=r, data=data, stage=stage, share_location=share_location
        ),
    )


@router.get("/attachments/{attachment_id}")
def attachment(request, attachment_id: int):
    found = queries.visible_attachment(request.user, attachment_id)
    if found is None:
        raise Http404
    response = HttpResponse(attachments.read(found), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get("/board", response=list[BoardOut])
def board(request, community: Id):
    """Open requests per building, for everyone in the community: no personal data."""
    rows = queries.board_for(request.user, community)
    if rows is None:
        raise Http404
    return rows


# --- handlers --------------------------------------------------------------------------------


@router.get("/queue")
def my_queue(request, page: Query[RequestFilter]):
    """The handler's own open orders."""
    return _page(
        keyset_page(queries.my_queue(request.user), cursor=page.cursor, limit=page.limit, newest_first=True)
    )


@router.post("/duty")
def duty(request, payload: DutyIn):
    """Start or end one's shift: only handlers on duty are dispatched to."""
    return {
        "teams": setup.do_set_duty(actor=request.user, on_duty=payload.on_duty),
        "on_duty": payload.on_duty,
    }


@router.get("/communities/{community_id}/pool")
def pool(request, community_id: int, page: Query[RequestFilter]):
    community_for(request, community_id, Action.WORKORDER_HANDLE)
    rows = queries.pool(request.user, community_id)
    return _page(keyset_page(rows, cursor=page.cursor, limit=page.limit, newest_first=True))


@router.post("/requests/{request_id}/contact", response=ContactOut)
def reveal_contact(request, request_id: int):
    """The reporter's name and phone in full, for the assignee or a dispatcher (logged)."""
    r = get_or_404(queries.requests(request.user), pk=request_id)
    return contact.do_reveal_contact(actor=request.user, request=r)


@router.post("/requests/{request_id}/charges", response={201: RequestDetailOut})
def add_charge(request, request_id: int, payload: ChargeIn):
    r = get_or_404(queries.requests(request.user, Action.WORKORDER_HANDLE), pk=request_id)
    item = get_or_404(queries.prices(request.user, r.community_id), pk=payload.price_item_id)
    charges.do_add_charge(actor=request.user, request=r, price_item=item, quantity=payload.quantity)
    r.refresh_from_db()
    return Status(201, detail(request.user, r))


@router.post("/requests/{request_id}/bill", response=RequestDetailOut)
def issue_bill(request, request_id: int, payload: BillIn):
    """Issues the repair's bill through billing (needs billing's rights)."""
    r = get_or_404(queries.requests(request.user), pk=request_id)
    item = get_or_404(
        billing_queries.fee_items(request.user).filter(community_id=r.community_id), pk=payload.fee_item_id
    )
    charges.do_issue_bill(actor=request.user, request=r, fee_item=item)
    r.refresh_from_db()
    return detail(request.user, r)


# --- the desk and managers -------------------------------------------------------------------


@router.get("/communities/{community_id}/requests")
def community_requests(request, community_id: int, page: Query[RequestFilter]):
    """The dispatch board's list: filter by status, open, overdue, building."""
    community_for(request, community_id, Action.WORKORDER_VIEW)
    rows = queries.requests(request.user).filter(community_id=community_id)
    if page.status:
        rows = rows.filter(status=page.status)
    if page.open_only:
        rows = rows.filter(status__in=OPEN)
    if page.overdue_only:
        rows = rows.filter(status__in=OPEN).exclude(response_overdue=False, resolution_overdue=False)
    if page.building_id:
        rows = rows.filter(building_id=page.building_id)
    return _page(keyset_page(rows, cursor=page.cursor, limit=page.limit, newest_first=True))


@router.post("/communities/{community_id}/requests", response={201: RequestDetailOut})
def staff_report(request, community_id: int, payload: StaffReportIn):
    """Staff enter a request (代报 for a resident by phone or at the counter) or open an incident."""
    community = community_for(request, community_id, Action.WORKORDER_DISPATCH)
    category = get_or_404(
        queries.categories(request.user, community.pk).filter(active=True), pk=payload.category_id
    )
    r = intake.open_request(
        actor=request.user,
        community_id=community.pk,
        category=category,
        description=payload.description,
        priority=payload.priority,
        building_id=payload.building_id,
        house_id=payload.house_id,
        place=payload.place,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        answers=payload.answers,
    )
    return Status(201, detail(request.user, r))


@router.get("/communities/{community_id}/sla", response=SlaSummaryOut)
def sla_board(request, community_id: int, days: Int(1, 366) = 30):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    since = timezone.now() - timedelta(days=days)
    return queries.sla_summary(request.user, community_id, since)


@router.get("/communities/{community_id}/performance")
def performance(request, community_id: int, days: Int(1, 366) = 30):
    """Per responsible handler: resolved, on time, overdue marks, rating, hops."""
    community_for(request, community_id, Action.WORKORDER_DISPATCH)
    since = timezone.now() - timedelta(days=days)
    return {
        "handlers": queries.performance(request.user, community_id, since),
        "hops": queries.hops_report(request.user, community_id, since),
    }


@router.get("/communities/{community_id}/statistics")
def statistics(request, community_id: int, days: Int(1, 366) = 30):
    """Per grid and per category: requests, open, resolved, overdue, average hours to resolve
    (GRID-3); counts only, for the community office and the street's view (stats.view)."""
    community_for(request, community_id, Action.STATS_VIEW)
    return queries.statistics(request.user, community_id, timezone.now() - timedelta(days=days))


@router.get("/communities/{community_id}/settings", response=SettingsOut)
def get_settings(request, community_id: int):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return setup.settings_of(community_id)


@router.put("/communities/{community_id}/settings", response=SettingsOut)
def put_settings(request, community_id: int, payload: SettingsIn):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    values = payload.dict()
    for key in ("extra_holidays", "extra_workdays"):
        values[key] = sorted({day.isoformat() for day in values[key]})
    return setup.do_update_settings(actor=request.user, community_id=community_id, **values)


@router.get("/communities/{community_id}/teams", response=list[TeamOut])
def teams(request, community_id: int):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return queries.teams(request.user, community_id)


@router.post("/communities/{community_id}/teams", response={201: TeamOut})
def create_team(request, community_id: int, payload: TeamIn):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    supervisor = (
        _staff_user(request.user, community_id, payload.supervisor_id) if payload.supervisor_id else None
    )
    team = setup.do_create_team(
        actor=request.user,
        community_id=community_id,
        name=payload.name,
        kind=payload.kind,
        supervisor=supervisor,
    )
    return Status(201, team)


def _staff_user(actor, community_id: int, user_id: int):
    user = accounts_queries.staff_members(actor, community_id).filter(pk=user_id).first()
    if user is None:
        raise ServiceError("not_staff", _("该用户不是本小区的工作人员"), fields={"user_id": user_id})
    return user


def handler_out(h: Handler) -> dict:
    return {
        "id": h.pk,
        "team_id": h.team_id,
        "user_id": h.user_id,
        "name": h.user.display_name or h.user.username,
        "skills": h.skill_list,
        "grid_id": h.grid_id,
        "building_id": h.building_id,
        "on_duty": h.on_duty,
        "duty_weekdays": h.duty_weekdays,
        "open_count": h.open_count,
    }


@router.get("/communities/{community_id}/handlers", response=list[HandlerOut])
def handlers(request, community_id: int):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return [handler_out(h) for h in queries.handlers(request.user, community_id)]


@router.post("/teams/{team_id}/handlers", response={201: HandlerOut})
def add_handler(request, team_id: int, payload: HandlerIn):
    team = get_or_404(Team.objects.restrict(request.user, Action.WORKORDER_VIEW), pk=team_id)
    grid = grid_queries.grid_in(team.community_id, payload.grid_id) if payload.grid_id else None
    if payload.grid_id and grid is None:
        raise Http404
    building = (
        get_or_404(Building.objects.filter(community_id=team.community_id), pk=payload.building_id)
        if payload.building_id
        else None
    )
    handler = setup.do_add_handler(
        actor=request.user,
        team=team,
        user=_staff_user(request.user, team.community_id, payload.user_id),
        skills=payload.skills,
        grid=grid,
        building=building,
        duty_weekdays=payload.duty_weekdays,
    )
    return Status(201, handler_out(Handler.objects.select_related("user").get(pk=handler.pk)))


@router.post("/communities/{community_id}/categories", response={201: CategoryOut})
def create_category(request, community_id: int, payload: CategoryIn):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    values = payload.dict()
    team_id = values.pop("default_team_id")
    values["default_team"] = (
        get_or_404(Team.objects.filter(community_id=community_id), pk=team_id) if team_id else None
    )
    category = setup.do_create_category(actor=request.user, community_id=community_id, **values)
    return Status(201, category)


@router.put("/categories/{category_id}/sla")
def set_sla(request, category_id: int, payload: SlaIn):
    category = get_or_404(Category.objects.restrict(request.user, Action.WORKORDER_VIEW), pk=category_id)
    policy = setup.do_set_sla(actor=request.user, category=category, **payload.dict())
    return {
        "priority": policy.priority,
        "respond_minutes": policy.respond_minutes,
        "resolve_minutes": policy.resolve_minutes,
    }


@router.get("/communities/{community_id}/prices", response=list[PriceOut])
def prices(request, community_id: int):
    """The published price list of paid repairs (residents of the community see it too)."""
    _of_community(request, community_id)
    return queries.prices(request.user, community_id)


@router.post("/communities/{community_id}/prices", response={201: PriceOut})
def create_price(request, community_id: int, payload: PriceIn):
    community_for(request, community_id, Action.WORKORDER_VIEW)
    return Status(201, setup.do_create_price(actor=request.user, community_id=community_id, **payload.dict()))
