"""Every read of patrols, plans and playbooks that reaches a user, on `restrict()`."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from linli.core.roles import Action
from linli.workorders.models import CheckIn, Handler, MaintenancePlan, PatrolRoute, PatrolRun, Playbook


def route_objects(user, action: str = Action.WORKORDER_VIEW):
    return PatrolRoute.objects.restrict(user, action)


def routes(user, community_id: int):
    """The community's routes with their checkpoints and schedules."""
    return route_objects(user).filter(community_id=community_id).prefetch_related("checkpoints", "schedules")


def runs(user, action: str = Action.WORKORDER_VIEW):
    """Runs with their route and how many checkpoints were checked and are on the route."""
    return (
        PatrolRun.objects.restrict(user, action)
        .select_related("route")
        .annotate(
            checked=Count("check_ins", distinct=True), checkpoints=Count("route__checkpoints", distinct=True)
        )
    )


def route_runs(user, route: PatrolRoute, *, missed_only: bool = False):
    found = runs(user).filter(route=route)
    return found.filter(status="missed") if missed_only else found


def my_runs(user, community_id: int, day: date):
    """The guard's runs of the day: taken by them, or still free on a route of one of their teams."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(0), tz)
    teams = Handler.objects.filter(user=user, community_id=community_id).values("team_id")
    return (
        runs(user, Action.WORKORDER_HANDLE)
        .filter(community_id=community_id, due_at__gte=start, due_at__lt=start + timedelta(days=1))
        .filter(Q(assignee=user) | Q(assignee__isnull=True, route__team_id__in=teams))
        .order_by("due_at", "id")
    )


def check_ins(user, action: str = Action.WORKORDER_VIEW):
    return CheckIn.objects.restrict(user, action).select_related("checkpoint", "run")


def plans(user, action: str = Action.WORKORDER_VIEW):
    return MaintenancePlan.objects.restrict(user, action)


def playbook_objects(user, action: str = Action.WORKORDER_VIEW):
    return Playbook.objects.restrict(user, action)


def playbooks(user, community_id: int):
    return playbook_objects(user).filter(community_id=community_id).prefetch_related("tasks")
