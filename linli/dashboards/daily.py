"""The daily figures (`DailyFigure`) of one community: flows of a day (passages, requests,
alarms) and, for today, stocks as they stand (population, houses, open requests, fees).

Every figure comes from another app's queries module; `services/daily_figures.py` stores them."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from linli.access import queries as access_queries
from linli.billing import queries as billing_queries
from linli.dashboards.metrics import METRICS
from linli.engage import queries_surveys
from linli.iot import queries as iot_queries
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorder_queries

Row = tuple[str, str, int]  # (metric, part, value)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def flows(community_id: int, day: date) -> list[Row]:
    since, until = day_bounds(day)
    rows: list[Row] = [
        (f"flows.{k}", "", v) for k, v in access_queries.flows(community_id, since, until).items()
    ]
    rows += _requests("requests.opened", workorder_queries.opened(community_id, since, until))
    done = workorder_queries.resolved(community_id, since, until)
    rows += _requests("requests.resolved", done)
    rows += _requests("requests.resolve_minutes", [{**r, "n": r["minutes"]} for r in done])
    for r in iot_queries.alarms_raised(community_id, since, until):
        rows += [
            # The whole community's, as requests have it: reads across communities take part "".
            ("alarms.raised", "", r["n"]),
            ("alarms.raised", f"severity:{r['severity']}", r["n"]),
            ("alarms.raised", f"type:{r['type']}", r["n"]),
        ]
    return _summed(rows)


def stocks(community_id: int, today: date) -> list[Row]:
    rows: list[Row] = []
    people = registry_queries.population(community_id)
    for key in ("real", "floating", "tenants", "households"):
        rows.append((f"population.{key}", "", people[key]))
    for row in registry_queries.population_by_building(community_id):
        part = f"building:{row['building_id']}"
        rows += [("population.real", part, row["real"]), ("population.floating", part, row["floating"])]
    rows += [("population.age", f"band:{k}", v) for k, v in registry_queries.age_bands(community_id).items()]
    rows += [
        ("population.special", f"kind:{k}", v) for k, v in registry_queries.care_counts(community_id).items()
    ]
    rows += [(f"housing.{k}", "", v) for k, v in registry_queries.housing(community_id).items()]
    for building_id, houses in registry_queries.housing_by_building(community_id).items():
        rows += [(f"housing.{k}", f"building:{building_id}", v) for k, v in houses.items()]
    load = workorder_queries.load(community_id, timezone.now())  # open and overdue now
    rows += [("requests.open", "", load["open"]), ("requests.overdue", "", load["overdue"])]
    active = iot_queries.active_alarms_by_severity(community_id)
    rows += [("alarms.active", "", sum(active.values()))]
    rows += [("alarms.active", f"severity:{k}", v) for k, v in active.items()]
    rows += [(f"devices.{k}", "", v) for k, v in iot_queries.fleet(community_id).items()]
    month = today.replace(day=1)
    rows += [(f"fees.{k}", "", v) for k, v in billing_queries.collection(community_id, month, today).items()]
    years = queries_surveys.satisfaction_by_year(community_id)
    if years:
        rows.append(("satisfaction.score", "", round(years[-1]["score"])))
    return rows


def rows(community_id: int, day: date) -> tuple[set[str], list[Row]]:
    """The metrics a run for `day` answers for (every flow; the stocks too when it is today) and
    the community's figures of them. A metric with no row is nothing that day: a resolution sent
    back leaves no `requests.resolved`, and the day's earlier 1 must go."""
    today = timezone.localdate()
    found = flows(community_id, day) + (stocks(community_id, today) if day == today else [])
    return {key for key, m in METRICS.items() if day == today or not m.stock}, found


def _requests(metric: str, found: list[dict]) -> list[Row]:
    rows: list[Row] = []
    for r in found:
        rows += [
            (metric, "", r["n"]),
            (metric, f"category:{r['category']}", r["n"]),
            (metric, f"kind:{r['kind']}", r["n"]),
        ]
        if r["building_id"]:
            rows.append((metric, f"building:{r['building_id']}", r["n"]))
    return rows


def _summed(rows: list[Row]) -> list[Row]:
    """One row per (metric, part): the sources group finer than the figures keep."""
    total: dict[tuple[str, str], int] = {}
    for metric, part, value in rows:
        total[(metric, part)] = total.get((metric, part), 0) + value
    return [(m, p, v) for (m, p), v in total.items()]
