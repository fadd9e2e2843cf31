"""Suppression in the government view: differencing attempts between overlapping grids, between
a grid and its buildings, and the refusal of a grid or building with nothing to show."""

import logging

import pytest
from django.utils import timezone

from linli.dashboards import suppression as s
from linli.dashboards.models import DailyFigure
from linli.grid.models import Grid
from linli.testing import factories as f
from linli.testing.walk import text_of


def test_a_group_holding_a_hidden_atom_is_hidden():
    atoms = {"b1": 40, "b2": 25, "b3": 3, "b4": 30}
    shown = s.partition(atoms)  # b3 is small, b2 goes with it
    assert shown == {"b1": 40, "b2": None, "b3": None, "b4": 30}
    groups = {"A": frozenset({"b1", "b4"}), "B": frozenset({"b1", "b4", "b2"}), "C": frozenset({"b4"})}
    assert s.over_shown_atoms(groups, atoms, shown) == {"A": 70, "B": None, "C": 30}


def test_the_cells_of_a_hidden_parent_are_hidden():
    assert s.under(False, {"a": 10, "b": 20}) == {"a": None, "b": None}
    assert s.under(True, {"a": 10, "b": None}) == {"a": 10, "b": None}


@pytest.mark.parametrize(
    ("value", "shown", "note"), [(3, None, "<5"), (0, None, "<5"), (40, None, "*"), (40, 40, "")]
)
def test_a_hidden_cell_says_why(value, shown, note):
    assert s.note(value, shown) == note


@pytest.fixture
def estate(db, world):
    """幸福里: 1号楼 40 people, 2号楼 25, 3号楼 3, 4号楼 30 (nobody floating); grid 东 = 1号楼 +
    4号楼, grid 东扩 = 东 + 3号楼, grid 三号 = 3号楼 alone."""
    day = timezone.localdate()
    c = world.a
    buildings = {name: f.building(c, name) for name in ("2号楼", "3号楼", "4号楼")}
    buildings["1号楼"] = world.building
    people = {"1号楼": 40, "2号楼": 25, "3号楼": 3, "4号楼": 30}
    rows = [("population.real", "", 98), ("population.floating", "", 0)]
    for name, n in people.items():
        rows += [
            ("population.real", f"building:{buildings[name].id}", n),
            ("population.floating", f"building:{buildings[name].id}", 0),
        ]
    DailyFigure.objects.bulk_create(
        DailyFigure(community=c, day=day, metric=m, part=p, value=v) for m, p, v in rows
    )
    grids = {}
    for name, members in (
        ("东", ("1号楼", "4号楼")),
        ("东扩", ("1号楼", "4号楼", "3号楼")),
        ("三号", ("3号楼",)),
    ):
        grids[name] = Grid.objects.create(community=c, name=name)
        grids[name].buildings.set([buildings[b] for b in members])
    return buildings, grids


@pytest.mark.usefixtures("estate")
def test_two_overlapping_grids_cannot_be_subtracted_into_a_building(world, api):
    got = api(world.staff).get(f"/dashboards/communities/{world.a.id}/figures").json()
    by_grid = {g["name"]: {x["key"]: x["value"] for x in g["figures"]} for g in got["grids"]}
    assert by_grid["东"]["population.real"] == 70
    # 东扩 − 东 would be 3号楼's 3 people.
    assert by_grid["东扩"]["population.real"] is None
    assert by_grid["三号"]["population.real"] is None
    by_building = {b["name"]: {x["key"]: x["value"] for x in b["figures"]} for b in got["buildings"]}
    # 98 − 40 − 30 − 25 = 3: 2号楼 is hidden with 3号楼, so the community total gives no one away.
    assert by_building["3号楼"]["population.real"] is None
    assert by_building["2号楼"]["population.real"] is None
    assert by_building["1号楼"]["population.real"] == 40
    assert {x["key"]: x["value"] for x in got["figures"]}["population.real"] == 98


def test_a_grid_or_building_with_nothing_to_show_is_refused_and_logged(world, api, browser, estate, caplog):
    buildings, grids = estate
    client = api(world.staff)
    with caplog.at_level(logging.WARNING, logger="linli.dashboards.gov"):
        r = client.get(f"/dashboards/communities/{world.a.id}/grids/{grids['东扩'].id}")
        assert r.status_code == 403 and r.json()["code"] == "too_few_to_show"
        r = client.get(f"/dashboards/communities/{world.a.id}/buildings/{buildings['3号楼'].id}")
        assert r.status_code == 403 and r.json()["code"] == "too_few_to_show"
        assert "3" not in r.json()["message"].replace("5", "")  # the refusal says no count
        page = browser(world.staff).get(f"/staff/{world.a.id}/dashboards/gov/grids/{grids['三号'].id}/")
        assert page.status_code == 403 and 'data-code="too_few_to_show"' in text_of(page)
    refusals = [r.getMessage() for r in caplog.records if "too_few_to_show" in r.getMessage()]
    assert len(refusals) == 3
    assert f"grid={grids['东扩'].id}" in refusals[0] and f"user={world.staff.pk}" in refusals[0]
    shown = client.get(f"/dashboards/communities/{world.a.id}/grids/{grids['东'].id}").json()
    assert {x["key"]: x["value"] for x in shown["part"]["figures"]}["population.real"] == 70
    assert [b["name"] for b in shown["buildings"]] == ["1号楼", "4号楼"]
    # A grid of another community named under this one: not found, not refused.
    other = Grid.objects.create(community=world.b, name="别处")
    assert client.get(f"/dashboards/communities/{world.a.id}/grids/{other.id}").status_code == 404


def test_a_street_total_minus_the_other_communities_gives_no_one_away(world, api):
    """Two communities in a street: one of 3 people. Hidden alone, the street total minus the
    other would show it; the total is the sum of both, so the other is hidden too — and the
    total of 2 communities is itself 3 + 60, which says nothing about either."""
    day = timezone.localdate()
    small = f.community(name="小院")
    for c in (world.a, small):
        c.street = "望京街道"
        c.save(update_fields=["street"])
    for c, n in ((world.a, 60), (small, 3)):
        DailyFigure.objects.create(community=c, day=day, metric="population.real", part="", value=n)
    viewer = f.staff(world.a, "gov_viewer", "street")
    f.Membership.objects.create(user=viewer, community=small, role="gov_viewer")
    street = api(viewer).get("/dashboards/streets/one", {"district": "朝阳区", "street": "望京街道"})
    street = street.json()["street"]
    cells = {c["name"]: {x["key"]: x["value"] for x in c["figures"]} for c in street["communities"]}
    assert cells["小院"]["population.real"] is None
    assert cells["幸福里小区"]["population.real"] is None
    assert {x["key"]: x["value"] for x in street["total"]["figures"]}["population.real"] == 63
    # And 幸福里's own page, grids and buildings follow its street's cell.
    own = api(viewer).get(f"/dashboards/communities/{world.a.id}/figures").json()
    assert {x["key"]: x["value"] for x in own["figures"]}["population.real"] is None
