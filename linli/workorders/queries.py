"""Every read of work orders that reaches a user, on `restrict()` (staff) or the reporter's own."""

from datetime import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.grid import queries as grid_queries
from linli.registry.models import Building
from linli.workorders.choices import FINISHED, OPEN, DispatchMode, Kind, Status
from linli.workorders.models import (
    Attachment,
    Category,
    Handler,
    PriceItem,
    Request,
    RequestEvent,
    Settings,
    Team,
)

# House labels read the building and unit: fetched with the row, not once per row.
LIST_COLUMNS = ("category", "building", "house__building", "house__unit", "team")
# Late to respond or to resolve.
OVERDUE = Q(response_overdue=True) | Q(resolution_overdue=True)


def requests(user, action: str = Action.WORKORDER_VIEW):
    """Requests in the staff member's scope."""
    return Request.objects.restrict(user, action).select_related(*LIST_COLUMNS)


def my_requests(user):
    """What the user reported themselves, newest first."""
    return Request.objects.filter(reporter=user).select_related(*LIST_COLUMNS)


def my_queue(user):
    """Orders assigned to the handler that are still theirs to work on."""
    return requests(user, Action.WORKORDER_HANDLE).filter(assignee=user, status__in=OPEN)


def pool(user, community_id: int):
    """Accepted orders waiting for someone to grab them, in the handler's teams (or unteamed)."""
    teams = Handler.objects.filter(user=user, community_id=community_id).values("team_id")
    mine = Q(team_id__in=teams)
    if Settings.objects.filter(community_id=community_id, dispatch_mode=DispatchMode.GRAB).exists():
        mine |= Q(team__isnull=True)  # unteamed orders are anyone's to grab in grab mode only
    return (
        requests(user, Action.WORKORDER_HANDLE)
        .filter(community_id=community_id, status=Status.ACCEPTED, assignee__isnull=True)
        .filter(mine)
    )


def visible_request(user, request_id: int) -> Request | None:
    """A request the user may see: staff in scope, or its reporter."""
    found = requests(user).filter(pk=request_id).first()
    return found or my_requests(user).filter(pk=request_id).first()


def timeline(request: Request) -> list[RequestEvent]:
    return list(request.events.select_related("actor").order_by("id"))


def categories(user, community_id: int):
    return Category.objects.restrict(user, Action.WORKORDER_VIEW).filter(community_id=community_id)


def categories_for_residents(user, community_id: int):
    return (
        Category.objects.own(user)
        .filter(community_id=community_id)
        .exclude(kind="incident")
        .exclude(kind="maintenance")
    )


def public_categories(community_id: int):
    return Category.objects.filter(community_id=community_id, active=True, public=True).order_by("id")


def teams(user, community_id: int):
    return Team.objects.restrict(user, Action.WORKORDER_VIEW).filter(community_id=community_id).order_by("id")


def handlers(user, community_id: int):
    return (
        Handler.objects.restrict(user, Action.WORKORDER_VIEW)
        .filter(community_id=community_id)
        .select_related("user", "team")
        .order_by("team_id", "id")
    )


def prices(user, community_id: int):
    found = PriceItem.objects.restrict(user, Action.WORKORDER_VIEW) | PriceItem.objects.own(user)
    return found.filter(community_id=community_id, active=True).order_by("id")


def board_for(user, community_id: int) -> list[dict] | None:
    """The public board as this user may read it: the whole community for its residents and for
    staff who cover it, their buildings for staff narrowed to some; None for anyone else."""
    scope = scope_of(user)
    if community_id in scope.resident_community_ids or scope.covers_community(
        Action.WORKORDER_VIEW, community_id
    ):
        return board(community_id)
    if scope.may_in_community(Action.WORKORDER_VIEW, community_id):
        return board(community_id, buildings=scope.buildings_for(Action.WORKORDER_VIEW))
    return None


def board(community_id: int, buildings: set[int] | None = None) -> list[dict]:
    """Open requests per building and status, without anything about anyone (the public board
    of the whole community, or of the buildings of staff narrowed to them)."""
    return list(open_by_building(community_id, buildings).values())


def open_by_building(community_id: int, buildings: set[int] | None = None) -> dict[int | None, dict]:
    """{building id (None: the grounds): its name, open and overdue counts, open by status}."""
    scoped = Request.objects.filter(community_id=community_id, status__in=OPEN)
    if buildings is not None:
        scoped = scoped.filter(building_id__in=buildings)
    rows = scoped.values("building_id", "status").annotate(n=Count("id")).order_by()
    names = dict(Building.objects.filter(community_id=community_id).values_list("id", "name"))
    found: dict = {}
    for row in sorted(rows, key=lambda r: (names.get(r["building_id"], ""), r["status"])):
        entry = found.setdefault(
            row["building_id"],
            {
                "building": names.get(row["building_id"]) or "公共区域",
                "open": 0,
                "overdue": 0,
                "by_status": {},
            },
        )
        entry["by_status"][row["status"]] = row["n"]
        entry["open"] += row["n"]
    overdue = scoped.filter(OVERDUE).values("building_id").annotate(n=Count("id"))
    for building_id, n in overdue.values_list("building_id", "n"):
        if building_id in found:
            found[building_id]["overdue"] = n
    return found


def sla_summary(user, community_id: int, since: datetime) -> dict:
    """For the SLA board: open, overdue, escalated now; on-time share of what was resolved since."""
    scoped = requests(user).filter(community_id=community_id)
    now_open = scoped.filter(status__in=OPEN).aggregate(
        open=Count("id"),
        response_overdue=Count("id", filter=Q(response_overdue=True)),
        resolution_overdue=Count("id", filter=Q(resolution_overdue=True)),
        escalated=Count("id", filter=Q(escalated_at__isnull=False)),
    )
    resolved = scoped.filter(resolved_at__gte=since).aggregate(
        resolved=Count("id"),
        on_time=Count("id", filter=Q(resolution_overdue=False)),
        hops=Avg("hops"),
        rating=Avg("rating"),
    )
    return {**now_open, **resolved}


def performance(user, community_id: int, since: datetime) -> list[dict]:
    """Per handler (the one responsible): resolved, on time, overdue marks, average rating and hops."""
    rows = (
        requests(user, Action.WORKORDER_DISPATCH)
        .filter(community_id=community_id, responsible__isnull=False, created_at__gte=since)
        .values("responsible_id", "responsible__display_name", "responsible__username")
        .annotate(
            total=Count("id"),
            resolved=Count("id", filter=Q(status__in=FINISHED, resolved_at__isnull=False)),
            on_time=Count("id", filter=Q(resolved_at__isnull=False, resolution_overdue=False)),
            response_overdue=Count("id", filter=Q(response_overdue=True)),
            resolution_overdue=Count("id", filter=Q(resolution_overdue=True)),
            rating=Avg("rating"),
            hops=Avg("hops"),
            charged_fen=Sum("charge_fen"),
        )
        .order_by("-total")
    )
    return list(rows)


def hops_report(user, community_id: int, since: datetime) -> dict:
    """How many hand-overs requests took (WO-5's measure): the distribution and the average."""
    scoped = requests(user).filter(community_id=community_id, created_at__gte=since)
    spread = {row["hops"]: row["n"] for row in scoped.values("hops").annotate(n=Count("id")).order_by("hops")}
    return {"by_hops": spread, "average": scoped.aggregate(a=Avg("hops"))["a"]}


def visible_attachment(user, attachment_id: int) -> Attachment | None:
    """A photo of a request the user may see (staff in scope, or its reporter)."""
    found = Attachment.objects.filter(pk=attachment_id).first()
    if found is None or visible_request(user, found.request_id) is None:
        return None
    return found


def overdue(user, community_id: int):
    """Open requests past a deadline, the ones closest to (or furthest past) it first."""
    # Open requests are unresolved: saying so lets the database walk the deadline index in order.
    return (
        requests(user)
        .filter(community_id=community_id, status__in=OPEN, resolved_at__isnull=True)
        .filter(Q(response_overdue=True) | Q(resolution_overdue=True))
        .order_by("resolve_due")
    )


def statistics(user, community_id: int, since: datetime) -> dict:
    """Requests and incidents since a date per grid and per category, for the community office
    and the government view (GRID-3): counts and times only, nothing about anyone."""
    scoped = Request.objects.restrict(user, Action.STATS_VIEW).filter(
        community_id=community_id, created_at__gte=since
    )
    hours = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    measures = {
        "total": Count("id"),
        "open": Count("id", filter=Q(status__in=OPEN)),
        "resolved": Count("id", filter=Q(resolved_at__isnull=False)),
        "overdue": Count("id", filter=Q(response_overdue=True) | Q(resolution_overdue=True)),
        "resolve_time": Avg(hours, filter=Q(resolved_at__isnull=False)),
    }
    per_building = {row.pop("building_id"): row for row in scoped.values("building_id").annotate(**measures)}
    grids = []
    drawn = grid_queries.grids_of_community(community_id)
    members = grid_queries.buildings_of_grids({g for g, _name in drawn})
    for grid_id, name in drawn:
        rows = [per_building[b] for b in members[grid_id] if b in per_building]
        grids.append({"grid": name, **_summed(rows)})
    by_category = [
        {"category": row.pop("category__name"), "kind": row.pop("kind"), **_hours(row)}
        for row in scoped.values("category__name", "kind").annotate(**measures).order_by("category__name")
    ]
    return {
        "since": since,
        "all": _hours(scoped.aggregate(**measures)),
        "grids": grids,
        "categories": by_category,
    }


def _hours(row: dict) -> dict:
    spent = row.pop("resolve_time")
    return {**row, "avg_resolve_hours": round(spent.total_seconds() / 3600, 1) if spent else None}


def _summed(rows: list[dict]) -> dict:
    """Totals of buildings' rows; the average resolution time weighted by what was resolved."""
    total = {key: sum(r[key] for r in rows) for key in ("total", "open", "resolved", "overdue")}
    spent = sum((r["resolve_time"].total_seconds() * r["resolved"] for r in rows if r["resolve_time"]), 0.0)
    total["avg_resolve_hours"] = round(spent / total["resolved"] / 3600, 1) if total["resolved"] else None
    return total


def actor_label(event: RequestEvent, request: Request, *, for_reporter: bool) -> str:
    """Who did a step, as the reader may know it: the reporter reads roles (您, 物业, 系统), staff
    read names."""
    actor = event.actor
    if actor is None:
        return str(_("系统"))
    if for_reporter:
        return str(_("您") if actor.pk == request.reporter_id else _("物业"))
    return actor.display_name or actor.username


def category_for(community_id: int, ref: str, kinds: tuple[str, ...]) -> Category | None:
    """The category another app names (an IoT rule's action): by code, by name, else the first
    active category of the kinds it is about, so a renamed category still gets the order."""
    active = Category.objects.filter(community_id=community_id, active=True)
    return (
        active.filter(code=ref).first()
        or active.filter(name=ref).first()
        or active.filter(kind__in=kinds).order_by("id").first()
    )


def on_duty_user_ids(community_id: int) -> set[int]:
    return set(
        Handler.objects.filter(community_id=community_id, on_duty=True).values_list("user_id", flat=True)
    )


# Community-wide counts for dashboards: no row leaves these, and dashboards checks who asks.


def load(community_id: int, since: datetime) -> dict:
    """Open and overdue now; resolved since, on time, and their average rating (1–5)."""
    return loads([community_id], since)[community_id]


def loads(community_ids, since: datetime) -> dict[int, dict]:
    """load() of several communities in two grouped reads (a street's screen)."""
    found: dict[int, dict] = {
        c: {**now, "resolved": 0, "on_time": 0, "rating": None}
        for c, now in open_counts(community_ids).items()
    }
    resolved = (
        Request.objects.filter(community_id__in=list(found), resolved_at__gte=since)
        .values_list("community_id")
        .annotate(
            resolved=Count("id"),
            on_time=Count("id", filter=Q(resolution_overdue=False)),
            rating=Avg("rating"),
        )
        .order_by()
    )
    for c, n, on_time, rating in resolved:
        found[c].update(resolved=n, on_time=on_time, rating=rating)
    return found


def open_counts(community_ids) -> dict[int, dict[str, int]]:
    """Open and overdue requests now of several communities in one grouped read (the street
    map): {community id: {open, overdue}}."""
    found = {c: {"open": 0, "overdue": 0} for c in community_ids}
    rows = (
        Request.objects.filter(community_id__in=list(found), status__in=OPEN)
        .values_list("community_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=OVERDUE))
        .order_by()
    )
    found.update({c: {"open": n, "overdue": overdue} for c, n, overdue in rows})
    return found


def opened(community_id: int, since: datetime, until: datetime) -> list[dict]:
    """Requests and incidents opened in [since, until) per category, kind and building:
    [{category, kind, building_id, n}]."""
    rows = (
        Request.objects.filter(community_id=community_id, created_at__gte=since, created_at__lt=until)
        .values("category__name", "kind", "building_id")
        .annotate(n=Count("id"))
        .order_by("category__name", "kind", "building_id")
    )
    return [_named(r) for r in rows]


def resolved(community_id: int, since: datetime, until: datetime) -> list[dict]:
    """Requests and incidents resolved in [since, until) per category, kind and building, with
    the minutes they took in all (the average is minutes / n): [{category, kind, building_id, n,
    minutes}]."""
    spent = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    rows = (
        Request.objects.filter(community_id=community_id, resolved_at__gte=since, resolved_at__lt=until)
        .values("category__name", "kind", "building_id")
        .annotate(n=Count("id"), spent=Sum(spent))
        .order_by("category__name", "kind", "building_id")
    )
    return [
        {**_named(r), "minutes": round(r["spent"].total_seconds() / 60) if r["spent"] else 0} for r in rows
    ]


def _named(row) -> dict:
    return {
        "category": row["category__name"],
        "kind": row["kind"],
        "building_id": row["building_id"],
        "n": row["n"],
    }


def ticker_facts(request_id: int) -> dict | None:
    """What a live screen may say of a request as it comes in: its kind (and label), category and building
    (ids and names of things, nothing about the reporter or what they wrote)."""
    row = (
        Request.objects.filter(pk=request_id)
        .values("community_id", "kind", "category__name", "building_id", "building__name", "created_at")
        .first()
    )
    if row is None:
        return None
    return {
        "community_id": row["community_id"],
        "kind": row["kind"],
        "kind_label": str(dict(Request._meta.get_field("kind").flatchoices).get(row["kind"], "")),
        "category": row["category__name"] or "",
        "building": row["building__name"] or "",
        "at": row["created_at"],
    }


def kind_labels() -> dict[str, str]:
    """Request kinds by their stored value, for pages that show counts by kind."""
    return {str(value): str(label) for value, label in Kind.choices}


def my_queue_count(user, community_id: int) -> int:
    """How many orders wait on the handler in the community (the console home)."""
    return my_queue(user).filter(community_id=community_id).count()


def overdue_count(user, community_id: int) -> int:
    """Open requests past a deadline in the user's scope (the console home)."""
    return overdue(user, community_id).count()
