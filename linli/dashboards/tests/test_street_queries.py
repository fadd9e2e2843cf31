"""A street's big screen and the street map read all its communities in the same number of
queries whatever their number: 2 or 5 communities, each with people, passages, devices and an
active alarm, work orders, bills, an open vote and a satisfaction survey, cost the same."""

from datetime import datetime, time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.access.models import AccessEvent, AccessPoint
from linli.core.models import Community
from linli.dashboards import map_data, screen_counters, screen_data
from linli.engage.services.surveys import SATISFACTION_DIMENSIONS
from linli.testing import billing_money, engage_surveys, engage_votes
from linli.testing import factories as f
from linli.testing import iot as iot_testing
from linli.testing import workorders as wo_testing

pytestmark = pytest.mark.django_db

STREET = {"district": "朝阳区", "street": "望京街道"}


@pytest.fixture(autouse=True)
def fresh_counters(monkeypatch):
    monkeypatch.setattr(screen_counters, "today_passages", screen_counters.TodayPassages())
    monkeypatch.setattr(
        screen_counters, "slow_charts", screen_counters.Recent(screen_counters.SLOW_CHARTS_SECONDS)
    )


def at_today(hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour)))


def stocked_community(n: int) -> SimpleNamespace:
    """A community of the street with something behind every figure of the screen and the map."""
    c = f.community(f"s{n}", f"社区{n}")
    Community.objects.filter(pk=c.pk).update(**STREET)
    building = f.building(c, "1号楼")
    house = f.house(f.unit(building), "101")
    owner = f.user(f"owner{n}")
    f.occupy(house, f.person(c, f"业主{n}", login=owner))
    world = SimpleNamespace(
        a=c,
        building=building,
        house=house,
        owner=owner,
        admin=f.staff(c, "community_admin", f"admin{n}"),
        staff=f.staff(c, "property_manager", f"staff{n}"),
        technician=f.staff(c, "technician", f"tech{n}"),
        grid_worker=f.staff(c, "grid_worker", f"grid{n}"),
    )
    gate = AccessPoint.objects.create(community=c, name="南门", kind="community_gate")
    for hour in (8, 9):
        AccessEvent.objects.create(
            community=c,
            point=gate,
            at=at_today(hour),
            method="card",
            allowed=True,
            reason="granted",
            direction="in",
        )
    iot_testing.raise_co(iot_testing.site(world).co)
    wo_testing.report(world, wo_testing.crew(world))
    billing_money.bill(house, billing_money.fee_item(c), 10000, due_on=timezone.localdate().replace(day=1))
    engage_votes.open_vote(world)
    ratings = [4] * len(SATISFACTION_DIMENSIONS)
    engage_surveys.open_satisfaction(world, timezone.localdate().year, [(owner, ratings)])
    return world


def street_of(size: int, first: int = 0) -> list[int]:
    return [stocked_community(n).a.id for n in range(first, first + size)]


def queries_of(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def screen_reads(ids: list[int]) -> tuple[int, int]:
    """The queries of a street screen's first read (the day's passages counted) and of the next
    (counted on), each computing everything, the slow charts too."""
    now = at_today(10)
    screen_counters.slow_charts = screen_counters.Recent(screen_counters.SLOW_CHARTS_SECONDS)
    first = queries_of(lambda: screen_data.compute(tuple(ids), now=now))
    screen_counters.slow_charts = screen_counters.Recent(screen_counters.SLOW_CHARTS_SECONDS)
    again = queries_of(lambda: screen_data.compute(tuple(ids), now=now))
    return first, again


def test_a_street_screen_costs_the_same_for_two_or_five_communities():
    two, five = street_of(2), street_of(5, first=10)
    got_two = screen_data.compute(tuple(two), now=at_today(10))
    got_five = screen_data.compute(tuple(five), now=at_today(10))
    # Every community counted: they are there to be read, not an empty street.
    assert got_two["flows"]["people_in"] == 2 * 2 and got_five["flows"]["people_in"] == 5 * 2
    assert got_five["alarms"]["critical"] == 5 and got_five["requests"]["open"] == 5
    assert got_five["fees"]["due"] == 5 * 10000 and len(got_five["votes"]) == 5
    assert len(got_five["charts"]["satisfaction"]) == 1
    screen_counters.today_passages = screen_counters.TodayPassages()
    assert screen_reads(two) == screen_reads(five)


def test_the_street_screens_data_page_costs_the_same_for_two_or_five_communities():
    two = street_of(2)
    client = Client()
    client.force_login(f.user("op", is_operator=True))
    url = f"/screen/street/{two[0]}/data"
    assert client.get(url).status_code == 200  # the session and the counters warmed up
    with_two = queries_of(lambda: client.get(url))
    street_of(5, first=10)  # five more communities join the street: seven
    screen_counters.slow_charts = screen_counters.Recent(screen_counters.SLOW_CHARTS_SECONDS)
    screen_counters.today_passages = screen_counters.TodayPassages()
    assert len(client.get(url).json()["communities"]) == 7
    assert queries_of(lambda: client.get(url)) == with_two


def test_the_street_map_costs_the_same_for_two_or_five_communities():
    two = street_of(2)
    five = street_of(5, first=10)
    of = lambda ids: list(Community.objects.filter(pk__in=ids))  # noqa: E731
    drawn = map_data.street_map(of(five))
    assert [c["alarms"] for c in drawn] == [1] * 5 and {c["tone"] for c in drawn} == {map_data.RED}
    assert queries_of(lambda: map_data.street_map(of(two))) == queries_of(
        lambda: map_data.street_map(of(five))
    )


def test_the_street_map_page_costs_the_same_for_two_or_five_communities():
    street_of(2)
    client = Client()
    client.force_login(f.user("op", is_operator=True))
    assert client.get("/staff/gov/map/").status_code == 200
    with_two = queries_of(lambda: client.get("/staff/gov/map/"))
    street_of(3, first=10)
    page = client.get("/staff/gov/map/").content.decode()
    assert all(f"社区{n}" in page for n in (0, 1, 10, 11, 12))
    assert queries_of(lambda: client.get("/staff/gov/map/")) == with_two
