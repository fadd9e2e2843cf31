"""Dashboards' reads of the daily figures (`DailyFigure`) across communities. Who may see which
community is decided here (`stats_communities`); what is shown of people, by `suppression`."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet, Sum

from linli.core import queries as core_queries
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.dashboards.models import DailyFigure

Key = tuple[int, str, str]  # (community id, metric, part)
# Communities as ids, or as a query of them (`stats_communities`): a query is read by the database
# as a subquery, where a list of 1,000 ids costs Django more to write into each statement than
# the database takes to answer it.
Communities = Iterable[int] | QuerySet


def _among(communities: Communities) -> Q:
    return Q(community_id__in=communities if isinstance(communities, QuerySet) else list(communities))


def stats_communities(user):
    """The communities whose whole figures the user may read (stats.view over the whole
    community; a role narrowed to some buildings reads the registry's own statistics page)."""
    scope = scope_of(user)
    if scope.is_operator:
        return core_queries.any_community().order_by("district", "street", "id")
    return Community.objects.filter(pk__in=scope.communities_for(Action.STATS_VIEW)).order_by(
        "district", "street", "id"
    )


def _parts(part: str | None) -> Q:
    """None: every part; "": the whole community only; "building:": every building's; and so on."""
    if part is None:
        return Q()
    return Q(part="") if part == "" else Q(part__startswith=part)


def latest_day(communities: Communities, metrics: Iterable[str], on: date | None = None) -> date | None:
    """The latest day any of the metrics was computed for any of the communities: one read per
    metric down its index from the newest day, stopping at the first row of one of the
    communities (one MAX over all the metrics at once reads every part of every day: 0.7 s at
    1,000 communities on PostgreSQL)."""
    among, days = _among(communities), []
    for metric in metrics:
        found = DailyFigure.objects.filter(among, metric=metric)
        if on is not None:
            found = found.filter(day__lte=on)
        day = found.order_by("-day").values_list("day", flat=True).first()
        if day is not None:
            days.append(day)
    return max(days, default=None)


def stocks(
    communities: Communities, metrics: Iterable[str], *, on: date | None = None, part: str | None = None
) -> tuple[date | None, dict[Key, int]]:
    """Stocks (population, houses, open requests) as of the latest computed day up to `on`: the
    daily job computes every community in one run, so that day is the same for all of them."""
    if not isinstance(communities, QuerySet):
        communities = list(communities)
    metrics = list(metrics)
    day = latest_day(communities, metrics, on)
    if day is None:
        return None, {}
    rows = DailyFigure.objects.filter(_parts(part), _among(communities), metric__in=metrics, day=day)
    return day, {
        (r[0], r[1], r[2]): r[3] for r in rows.values_list("community_id", "metric", "part", "value")
    }


def flows(
    communities: Communities, metrics: Iterable[str], since: date, until: date, *, part: str | None = None
) -> dict[Key, int]:
    """Flows (passages, requests, alarms) summed over the days in [since, until]."""
    rows = (
        DailyFigure.objects.filter(
            _parts(part),
            _among(communities),
            metric__in=list(metrics),
            day__gte=since,
            day__lte=until,
        )
        .values_list("community_id", "metric", "part")
        .annotate(total=Sum("value"))
    )
    return {(c, m, p): total for c, m, p, total in rows}


def series(
    community_ids: Iterable[int], metric: str, since: date, until: date, *, part: str = ""
) -> list[tuple[date, int]]:
    """One figure per day over the communities together, for charts: [(day, value)]."""
    rows = (
        DailyFigure.objects.filter(
            community_id__in=list(community_ids), metric=metric, part=part, day__gte=since, day__lte=until
        )
        .values_list("day")
        .annotate(total=Sum("value"))
        .order_by("day")
    )
    return list(rows)
