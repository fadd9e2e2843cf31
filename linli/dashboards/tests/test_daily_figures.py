"""The daily job's figures against a hand-counted community: who lives where, of what age,
which houses are let or empty, and the day's passages."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from linli.access.models import AccessEvent, AccessPoint
from linli.dashboards import queries
from linli.dashboards.models import DailyFigure
from linli.dashboards.services import daily_figures
from linli.testing import factories as f

pytestmark = pytest.mark.django_db


def years_ago(n: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - n, day=min(today.day, 28)) - timedelta(days=days)


@pytest.fixture
def estate():
    c = f.community()
    one, two = f.building(c, "1号楼"), f.building(c, "2号楼")
    flat, let, empty = f.house(f.unit(one)), f.house(f.unit(one)), f.house(f.unit(two))
    f.house(f.unit(two), type="shop")  # not a home: no housing figure counts it
    grandma = f.person(c, "王奶奶")
    grandma.birth_date = years_ago(82)
    child = f.person(c, "小明")
    child.birth_date = years_ago(3)
    tenant = f.person(c, "李租客", hukou_local=False)
    tenant.birth_date = years_ago(30)
    moved_out = f.person(c, "赵搬走")
    for p in (grandma, child, tenant):
        p.save(update_fields=["birth_date"])
    f.occupy(flat, grandma)
    f.occupy(flat, child, "family")
    f.occupy(let, tenant, "tenant", valid_to=timezone.localdate() + timedelta(days=90))
    f.occupy(empty, moved_out, valid_to=timezone.localdate() - timedelta(days=1))
    return c, one, two


def figures(c, day) -> dict[tuple[str, str], int]:
    return {(r.metric, r.part): r.value for r in DailyFigure.objects.filter(community=c, day=day)}


def test_population_housing_and_ages_of_today(estate):
    c, one, two = estate
    today = timezone.localdate()
    daily_figures.do_compute_daily_figures(c.id, today)
    got = figures(c, today)
    assert got[("population.real", "")] == 3
    assert got[("population.floating", "")] == 1
    assert got[("population.tenants", "")] == 1
    assert got[("population.households", "")] == 2
    assert got[("population.real", f"building:{one.id}")] == 3
    assert ("population.real", f"building:{two.id}") not in got  # nobody lives in 2号楼 today
    assert got[("population.age", "band:0-5")] == 1
    assert got[("population.age", "band:18-59")] == 1
    assert got[("population.age", "band:80+")] == 1
    assert got[("population.age", "band:60-79")] == 0
    assert got[("housing.houses", "")] == 3
    assert got[("housing.occupied", "")] == 2
    assert got[("housing.rented", "")] == 1
    assert got[("housing.vacant", "")] == 1
    assert got[("housing.vacant", f"building:{two.id}")] == 1


def test_passages_of_a_day_count_what_was_let_through_that_day(estate):
    c, _one, _two = estate
    gate = AccessPoint.objects.create(community=c, name="南门", kind="community_gate")
    now = timezone.now()
    yesterday = now - timedelta(days=1)
    for at, method, direction, allowed in (
        (now, "card", "in", True),
        (now, "face", "in", True),
        (now, "qr", "out", True),
        (now, "card", "in", False),  # refused: nobody passed
        (now, "plate", "in", True),
        (now, "card", "both", True),  # a door both ways: neither in nor out
        (yesterday, "card", "in", True),
    ):
        AccessEvent.objects.create(
            community=c,
            point=gate,
            at=at,
            method=method,
            allowed=allowed,
            reason="granted",
            direction=direction,
        )
    daily_figures.do_compute_daily_figures(c.id, timezone.localdate(now))
    got = figures(c, timezone.localdate(now))
    assert got[("flows.people_in", "")] == 2
    assert got[("flows.people_out", "")] == 1
    assert got[("flows.vehicles_in", "")] == 1
    assert got[("flows.vehicles_out", "")] == 0


def test_a_repeated_run_replaces_the_day_and_past_days_keep_their_stocks(estate):
    c, _one, _two = estate
    today = timezone.localdate()
    daily_figures.do_compute_daily_figures(c.id, today)
    first = figures(c, today)
    daily_figures.do_compute_daily_figures(c.id, today)
    assert figures(c, today) == first
    daily_figures.do_compute_daily_figures(c.id, today - timedelta(days=1))
    past = figures(c, today - timedelta(days=1))
    assert not any(metric.startswith(("population.", "housing.")) for metric, _part in past)


def test_reads_sum_flows_over_days_and_take_stocks_of_the_latest_day(estate):
    c, one, _two = estate
    other = f.community()
    today = timezone.localdate()
    for community, day, metric, part, value in (
        (c, today - timedelta(days=2), "flows.people_in", "", 7),
        (c, today - timedelta(days=1), "flows.people_in", "", 5),
        (other, today - timedelta(days=1), "flows.people_in", "", 11),
        (c, today - timedelta(days=1), "population.real", "", 90),
        (c, today, "population.real", "", 93),
        (c, today, "population.real", f"building:{one.id}", 40),
        (other, today, "population.real", "", 20),
    ):
        DailyFigure.objects.create(community=community, day=day, metric=metric, part=part, value=value)
    ids = [c.id, other.id]
    since = today - timedelta(days=2)
    assert queries.flows(ids, ["flows.people_in"], since, today) == {
        (c.id, "flows.people_in", ""): 12,
        (other.id, "flows.people_in", ""): 11,
    }
    day, found = queries.stocks(ids, ["population.real"], part="")
    assert day == today
    assert found == {(c.id, "population.real", ""): 93, (other.id, "population.real", ""): 20}
    day, found = queries.stocks(ids, ["population.real"], on=today - timedelta(days=1), part="building:")
    assert (day, found) == (today - timedelta(days=1), {})
    assert queries.series(ids, "flows.people_in", since, today) == [
        (today - timedelta(days=2), 7),
        (today - timedelta(days=1), 16),
    ]


def test_who_reads_which_communities(estate):
    c, _one, _two = estate
    other = f.community()
    gov = f.staff(c, "gov_viewer")
    narrowed = f.staff(other, "grid_worker", building=f.building(other))
    front_desk = f.staff(other, "front_desk")
    assert list(queries.stats_communities(gov)) == [c]
    assert list(queries.stats_communities(front_desk)) == []
    assert other not in queries.stats_communities(narrowed)


def test_a_flow_that_comes_to_nothing_on_a_rerun_is_gone(estate):
    """An earlier run counted a resolution that has since been sent back: the day has none now."""
    c, _one, _two = estate
    yesterday = timezone.localdate() - timedelta(days=1)
    DailyFigure.objects.create(community=c, day=yesterday, metric="requests.resolved", part="", value=1)
    DailyFigure.objects.create(community=c, day=yesterday, metric="population.real", part="", value=3)
    daily_figures.do_compute_daily_figures(c.id, yesterday)
    found = figures(c, yesterday)
    assert ("requests.resolved", "") not in found
    assert found[("population.real", "")] == 3  # a past day's stock stays as it was read
