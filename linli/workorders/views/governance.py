"""The console's patrol and grid pages: routes with their recent runs and missed checkpoints
(WO-6, GRID-1), requests and incidents per grid and category (GRID-3, counts only), and the
grid map: the site plan's buildings in their grid's colour with their open requests."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from linli.core.roles import Action
from linli.core.shell.common import Console, staff_view
from linli.core.shell.formatting import moment_label
from linli.core.shell.tables import Column, Table, cells
from linli.grid import queries as grid_queries
from linli.registry import queries as registry_queries
from linli.workorders import queries, queries_patrols
from linli.workorders.views.console import PERIODS, _since

ROUTE_COLUMNS = [
    Column(gettext_lazy("路线")),
    Column(gettext_lazy("巡检点"), numeric=True),
    Column(gettext_lazy("班次")),
]
RUN_COLUMNS = [
    Column(gettext_lazy("路线")),
    Column(gettext_lazy("应巡时间")),
    Column(gettext_lazy("状态")),
    Column(gettext_lazy("已巡/总数"), numeric=True),
    Column(gettext_lazy("漏检点")),
]
GRID_COLUMNS = [
    Column(gettext_lazy("网格")),
    Column(gettext_lazy("事件与工单"), numeric=True),
    Column(gettext_lazy("未办结"), numeric=True),
    Column(gettext_lazy("已解决"), numeric=True),
    Column(gettext_lazy("超时"), numeric=True),
    Column(gettext_lazy("平均解决(小时)"), numeric=True),
]
CATEGORY_COLUMNS = [Column(gettext_lazy("类别")), *GRID_COLUMNS[1:]]
RUNS_SHOWN = 50


@staff_view(Action.WORKORDER_VIEW, "workorders_patrols")
def patrols(request, console: Console):
    user, community_id = request.user, console.community.id
    routes = [
        cells(r.name, len(r.checkpoints.all()), " ".join(t for s in r.schedules.all() for t in s.times))
        for r in queries_patrols.routes(user, community_id)
    ]
    since = timezone.now() - timedelta(days=7)
    runs = (
        queries_patrols.runs(user)
        .filter(community_id=community_id, due_at__gte=since, due_at__lte=timezone.now())
        .order_by("-due_at")[:RUNS_SHOWN]
    )
    rows = [
        cells(
            run.route.name,
            moment_label(run.due_at),
            run.get_status_display(),
            f"{run.checked}/{run.checkpoints}",
            "、".join(point["name"] for point in run.missed_checkpoints) or "—",
        )
        for run in runs
    ]
    context = {"routes": Table(ROUTE_COLUMNS, routes), "runs": Table(RUN_COLUMNS, rows)}
    return console.render(request, "workorders/console/patrols.html", context)


@staff_view(Action.STATS_VIEW, "workorders_grids")
def grids(request, console: Console):
    days, since = _since(request)
    found = queries.statistics(request.user, console.community.id, since)

    def measures(row: dict) -> list:
        hours = row["avg_resolve_hours"]
        return [row["total"], row["open"], row["resolved"], row["overdue"], "—" if hours is None else hours]

    context = {
        "days": days,
        "periods": PERIODS,
        "total": found["all"],
        # A grid with nothing in the period is left out: staff narrowed to one grid see theirs.
        "grids": Table(GRID_COLUMNS, [cells(g["grid"], *measures(g)) for g in found["grids"] if g["total"]]),
        "categories": Table(
            CATEGORY_COLUMNS, [cells(c["category"], *measures(c)) for c in found["categories"]]
        ),
    }
    return console.render(request, "workorders/console/grids.html", context)


# The site plan's buildings are placed on a 1000 × 1000 grid (registry: Building.plan_x/plan_y).
PLAN, BOX_W, BOX_H = 1000, 90, 56
GRID_COLOURS = ("#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#ede9fe", "#cffafe")


@dataclass(frozen=True)
class PlacedBuilding:
    name: str
    x: int
    y: int
    fill: str
    grid: str
    open: int
    overdue: int


@staff_view(Action.WORKORDER_VIEW, "workorders_map")
def grid_map(request, console: Console):
    """The site plan: each building in its grid's colour with its open and overdue requests."""
    community_id = console.community.id
    seen = list(registry_queries.buildings(request.user, community_id))
    grids = grid_queries.grids_of_community(community_id)
    members = grid_queries.buildings_of_grids({g for g, _name in grids})
    grid_of = {b: (i, name) for i, (g, name) in enumerate(grids) for b in members[g]}
    counts = queries.open_by_building(community_id, {b.pk for b in seen})
    placed = []
    for b in seen:
        index, grid = grid_of.get(b.pk, (None, ""))
        found = counts.get(b.pk, {})
        placed.append(
            PlacedBuilding(
                name=b.name,
                x=min(b.plan_x, PLAN - BOX_W),
                y=min(b.plan_y, PLAN - BOX_H),
                fill=GRID_COLOURS[index % len(GRID_COLOURS)] if index is not None else "#f3f4f6",
                grid=grid,
                open=found.get("open", 0),
                overdue=found.get("overdue", 0),
            )
        )
    legend = [(GRID_COLOURS[i % len(GRID_COLOURS)], name) for i, (_g, name) in enumerate(grids)]
    context = {"buildings": placed, "legend": legend, "plan": PLAN, "w": BOX_W, "h": BOX_H}
    return console.render(request, "workorders/console/map.html", context)
