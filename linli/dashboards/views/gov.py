"""The government view's pages (GRID-3): the user's streets at /staff/gov/, then a community, its
grids and buildings under /staff/<cid>/dashboards/gov/, and how each figure is computed."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, console_of, staff_view, turned_away
from linli.dashboards import gov, gov_period, queries, suppression
from linli.dashboards.metrics import METRICS

SECTION = "gov_view"


def street_view(view):
    """A page above any one community (the streets, how a figure is computed): the console's
    frame is that of the first community the user's stats.view covers; none covered: 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        away = turned_away(request)
        if away is not None:
            return away
        first = queries.stats_communities(request.user).first()
        if first is None:
            raise Http404
        return view(request, console_of(request, first, SECTION), *args, **kwargs)

    return wrapper


def _period(request) -> gov_period.Period:
    today = timezone.localdate()
    try:
        return gov_period.period_of(request.GET.get("period"), today)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return gov_period.period_of(None, today)


def _frame(period: gov_period.Period, day) -> dict:
    return {
        "period": period,
        "periods": gov_period.choices(timezone.localdate()),
        "day": day,
        "threshold": suppression.THRESHOLD,
        "columns": gov.COLUMNS,
        "part_columns": PART_COLUMNS,
    }


PART_COLUMNS = [gov.BY_KEY[k] for k in gov.PART_COLUMNS]


def _rows(rows, columns=gov.COLUMNS) -> list:
    """[(row, its cells in the columns' order)]: what the table partial draws."""
    return [(row, [row.cells[c.key] for c in columns]) for row in rows]


@street_view
def streets(request, console: Console):
    period = _period(request)
    district, street = request.GET.get("district"), request.GET.get("street")
    only = (district, street) if district is not None and street is not None else None
    found = gov.streets(request.user, period, only=only)
    one = found.streets[0] if len(found.streets) == 1 else None
    context = {**_frame(period, found.day), "street": one, "only": only}
    if one is not None:
        context["total_rows"] = _rows([one.total])
        context["street_rows"] = _rows(one.communities)
    else:
        context["street_rows"] = [(s, [s.total.cells[c.key] for c in gov.COLUMNS]) for s in found.streets]
    return console.render(request, "dashboards/gov_streets.html", context)


@street_view
def how(request, console: Console, metric: str):
    found = METRICS.get(metric)
    if found is None:
        raise Http404
    return console.render(
        request, "dashboards/gov_how.html", {"metric": found, "threshold": suppression.THRESHOLD}
    )


@staff_view(Action.STATS_VIEW, section=SECTION)
def community(request, console: Console):
    if not console.scope.covers_community(Action.STATS_VIEW, console.community.id):
        # A role narrowed to some buildings reads the registry's statistics, not the whole community's.
        return console.render(request, "dashboards/gov_community.html", {"narrowed": True})
    period = _period(request)
    figures = gov.community(request.user, console.community.id, period)
    return console.render(
        request,
        "dashboards/gov_community.html",
        {
            **_frame(period, figures.day),
            "figures": figures,
            "community_rows": _rows([figures.row]),
            "grid_rows": _rows(figures.grids, PART_COLUMNS),
            "building_rows": _rows(figures.buildings, PART_COLUMNS),
            "breakdowns": [
                {
                    "title": b.title,
                    "how": b.how,
                    "columns": b.columns,
                    "rows": [(label, [cells[key] for key, _l in b.columns]) for label, cells in b.rows],
                }
                for b in figures.breakdowns
            ],
        },
    )


@staff_view(Action.STATS_VIEW, section=SECTION)
def grid(request, console: Console, grid_id: int):
    return _part(request, console, "grid", grid_id)


@staff_view(Action.STATS_VIEW, section=SECTION)
def building(request, console: Console, building_id: int):
    return _part(request, console, "building", building_id)


def _part(request, console: Console, what: str, part_id: int):
    """A grid (with its buildings) or a building; a refusal reads as the page, with its status."""
    try:
        figures = gov.community(request.user, console.community.id, _period(request))
        row = figures.grid(part_id) if what == "grid" else figures.building(part_id)
        row = gov.showable(request.user, figures, row, what)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        return console.render(request, "dashboards/gov_part.html", {"refused": exc}, status=exc.status)
    buildings = figures.buildings_of(part_id) if what == "grid" else []
    return console.render(
        request,
        "dashboards/gov_part.html",
        {
            **_frame(figures.period, figures.day),
            "figures": figures,
            "row": row,
            "part_rows": _rows([row], PART_COLUMNS),
            "building_rows": _rows(buildings, PART_COLUMNS),
        },
    )
