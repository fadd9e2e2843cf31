"""Who takes a request (WO-1, WO-5): automatic assignment by skill, place, roster and load.

A candidate is an on-duty handler, on the roster today, whose team is the category's (or any
team when the category names none), who has the category's skill, and who works where the
request is (their grid's or building's buildings, or the whole community). Among them the one
with the fewest open orders wins; on a tie the one who waited longest since their last order,
so that equal crews share the work evenly. Loads are counters on the handler rows, kept by the
flow, so the decision reads a handful of handler rows whatever the number of open requests.
"""

from django.db.models import F, Q
from django.utils import timezone

from linli.grid import queries as grid_queries
from linli.workorders.choices import Kind, TeamKind
from linli.workorders.models import Handler, Request


def candidates(request: Request):
    """On-duty handlers who may take `request`, best first."""
    today = str(timezone.localdate().weekday())
    category = request.category
    found = Handler.objects.filter(community_id=request.community_id, on_duty=True).filter(
        Q(duty_weekdays="") | Q(duty_weekdays__contains=today)
    )
    if category.skill:
        found = found.filter(skills__contains=f",{category.skill},")
    team_id = request.team_id or category.default_team_id
    if team_id:
        found = found.filter(team_id=team_id)  # the category's team, or the one it was transferred to
    elif request.kind == Kind.INCIDENT:
        found = found.filter(team__kind=TeamKind.GRID)  # an incident goes to the grid worker first
    if request.building_id:
        grids = grid_queries.grids_of_building(request.building_id)
        found = found.filter(
            Q(grid__isnull=True, building__isnull=True)
            | Q(building_id=request.building_id)
            | Q(grid_id__in=grids)
        )
    else:
        found = found.filter(grid__isnull=True, building__isnull=True)
    return found.order_by("open_count", F("last_assigned_at").asc(nulls_first=True), "id")


def choose(request: Request, *, besides: int | None = None) -> Handler | None:
    """The best candidate; `besides` (a user) is skipped, as one who just handed the order back."""
    found = candidates(request)
    if besides is not None:
        found = found.exclude(user_id=besides)
    return found.select_related("team").first()
