"""The big screen's figures for one community or a street's communities: live counters, today's
flows by hour, and the charts of the last 30 days, 12 months and the survey years.

Everything comes from other apps' count-only queries and from the daily figures, never a row
about anyone: what is live is an indexed count (open alarms, open requests, this month's bills)
or an incremental counter (today's passages by hour, screen_counters), population is the hourly
job's daily figure, and the slow charts (30 days, 12 months, survey years) are computed at most
once every few minutes per community and process. Counts of people under the suppression threshold
are shown as None, as everywhere in dashboards (suppression.py)."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.utils import timezone

from linli.billing import queries as billing_queries
from linli.core.dbrouter import reading_from_replica
from linli.core.models import Community
from linli.dashboards import gov_period, screen_counters, suppression
from linli.dashboards import queries as figures
from linli.engage import queries_surveys, queries_votes
from linli.iot import queries as iot_queries
from linli.registry import queries as registry_queries
from linli.workorders import queries as workorder_queries

ON_TIME_DAYS = 30  # the on-time share is of the requests resolved in the last 30 days
CHART_DAYS = 30
CHART_MONTHS = 12
TOP = 8  # categories a bar chart shows, the largest; the rest are left out

FLOW_KEYS = screen_counters.FLOW_KEYS


@reading_from_replica()
def compute(community_ids: tuple[int, ...], now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(community_ids)
    hours = _hours(ids, now)
    names = dict(Community.objects.filter(pk__in=ids).values_list("id", "name"))
    return {
        "at": now.isoformat(),
        "communities": [{"id": c, "name": n} for c, n in names.items()],
        "population": _population(ids),
        "flows": {k: sum(h[k] for h in hours) for k in FLOW_KEYS},
        "devices": _summed(iot_queries.fleets(ids).values()),
        "alarms": _alarms(ids),
        "requests": _requests(ids, now),
        "fees": _fees(ids, today),
        "votes": _votes(ids, names),
        "charts": {
            "hours": {k: [h[k] for h in hours] for k in FLOW_KEYS},
            **screen_counters.slow_charts.get((tuple(ids), today), lambda: _slow_charts(ids, today)),
        },
    }


def _slow_charts(ids: list[int], today: date) -> dict:
    return {
        "alarms_by_type": _alarms_by_type(ids, today),
        "requests_by_category": _breakdown(ids, "requests.opened", "category:", today),
        "collection": _collection(ids, today),
        "satisfaction": _satisfaction(ids),
    }


def _summed(rows) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for key, value in row.items():
            total[key] += value or 0
    return dict(total)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _population(ids: list[int]) -> dict:
    """Real and floating population as of the daily job's latest run (live from the registry for
    a community it has not reached yet); a small count is None."""
    keys = ("population.real", "population.floating")
    day, found = figures.stocks(ids, keys, part="")
    per = {
        c: {"real": found.get((c, keys[0], ""), 0), "floating": found.get((c, keys[1], ""), 0)} for c in ids
    }
    # Live from the registry for a community the daily job has not reached yet.
    per.update(registry_queries.population_of([c for c in ids if (c, keys[0], "") not in found]))
    real = sum(p["real"] for p in per.values())
    floating = sum(p["floating"] for p in per.values())
    # Local and floating partition the real population, whose total is shown.
    cells = suppression.partition({"local": real - floating, "floating": floating})
    return {
        "real": None if suppression.small(real) else real,
        "floating": cells["floating"],
        "as_of": (day or timezone.localdate()).isoformat(),
    }


def _hours(ids: list[int], now: datetime) -> list[dict]:
    """Today's passages per hour up to the current one (later hours are None on the page)."""
    per_hour = [dict.fromkeys(FLOW_KEYS, 0) for _ in range(timezone.localtime(now).hour + 1)]
    for counted_hours in screen_counters.today_passages.hours_of(ids, now).values():
        for total, counted in zip(per_hour, counted_hours, strict=False):
            for key in FLOW_KEYS:
                total[key] += counted[key]
    return per_hour


def _alarms(ids: list[int]) -> dict[str, int]:
    found = _summed(iot_queries.active_alarms_by_community(ids).values())
    return {severity: found.get(severity, 0) for severity in iot_queries.severity_labels()}


def _requests(ids: list[int], now: datetime) -> dict:
    load = _summed(
        {k: v for k, v in found.items() if k != "rating"}
        for found in workorder_queries.loads(ids, now - timedelta(days=ON_TIME_DAYS)).values()
    )
    return {
        "open": load.get("open", 0),
        "overdue": load.get("overdue", 0),
        "resolved": load.get("resolved", 0),
        "on_time_pct": _share(load.get("on_time", 0), load.get("resolved", 0)),
    }


def _fees(ids: list[int], today: date) -> dict:
    month = billing_queries.collection_among(ids, today.replace(day=1), today)
    return {
        "due": month.get("due", 0),
        "paid": month.get("paid", 0),
        "pct": _share(month.get("paid", 0), month.get("due", 0)),
    }


def _votes(ids: list[int], names: dict[int, str] | None = None) -> list[dict]:
    """Each open vote's participation; `names` of the communities when already read."""
    if names is None:
        names = dict(Community.objects.filter(pk__in=ids).values_list("id", "name"))
    return [
        {
            "title": v["title"],
            "community": names.get(v["community_id"], ""),
            "heads_pct": _share(v["heads"], v["total_heads"]),
            "area_pct": _share(v["area_centi"], v["total_area_centi"]),
        }
        for v in queries_votes.open_votes_turnout(ids)
    ]


def _breakdown(ids: list[int], metric: str, prefix: str, today: date) -> list[dict]:
    """A flow's parts (`prefix` + value) summed over the last CHART_DAYS days, largest first."""
    since = today - timedelta(days=CHART_DAYS - 1)
    total: dict[str, int] = defaultdict(int)
    for (_c, _m, part), n in figures.flows(ids, [metric], since, today, part=prefix).items():
        total[part.removeprefix(prefix)] += n
    return [{"name": k, "n": n} for k, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0])) if n][:TOP]


def _alarms_by_type(ids: list[int], today: date) -> list[dict]:
    names = iot_queries.alarm_type_names(ids)
    return [
        {**row, "name": names.get(row["name"], row["name"])}
        for row in _breakdown(ids, "alarms.raised", "type:", today)
    ]


def _collection(ids: list[int], today: date) -> list[dict]:
    """Collection per billing month over the last CHART_MONTHS months (months without bills: None)."""
    first = today.replace(day=1)
    months = [gov_period.months_before(first, n) for n in range(CHART_MONTHS - 1, -1, -1)]
    due: dict[date, int] = defaultdict(int)
    paid: dict[date, int] = defaultdict(int)
    for start, money in billing_queries.collection_by_period(ids, months[0], today).items():
        due[start.replace(day=1)] += money["due"]
        paid[start.replace(day=1)] += money["paid"]
    return [{"month": m.strftime("%Y-%m"), "pct": _share(paid[m], due[m])} for m in months]


def _satisfaction(ids: list[int]) -> list[dict]:
    """Each survey year's score, the mean over the communities that ran one that year."""
    scores: dict[int, list[float]] = defaultdict(list)
    for years in queries_surveys.satisfaction_by_year_of(ids).values():
        for row in years:
            scores[row["year"]].append(row["score"])
    return [{"year": y, "score": round(sum(s) / len(s), 1)} for y, s in sorted(scores.items())]
