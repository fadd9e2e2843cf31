"""Scopes reach core by registration (docs/decisions/0002-scope-registration.md): the apps that
own the answers register them at start-up, and a missing registration narrows, never widens."""

import pytest

from linli.core import restrict
from linli.grid.models import Grid
from linli.testing import factories as f


@pytest.fixture
def grid_worker(world):
    other = f.building(world.a, "2号楼")
    other_house = f.house(f.unit(other), "101", floor=1)
    grid = Grid.objects.create(community=world.a, name="第二网格")
    grid.buildings.add(other)
    return f.staff(world.a, "grid_worker", "gw2", grid=grid), other_house


def test_it_registers_the_answers_of_the_registry_and_the_grid_at_start_up():
    assert restrict.providers.residency is not None
    assert restrict.providers.building_communities is not None
    assert set(restrict.providers.narrowings) == {"grid_id"}


def test_it_grants_no_building_when_a_narrowing_has_no_resolver(world, api, grid_worker, monkeypatch):
    worker, other_house = grid_worker
    assert api(worker).get(f"/houses/{other_house.id}").status_code == 200
    restrict.forget_scope(worker)
    monkeypatch.delitem(restrict.providers.narrowings, "grid_id")
    # Without the grid app's answer the membership covers nothing, not the whole community.
    assert api(worker).get(f"/houses/{other_house.id}").status_code == 404
    assert api(worker).get(f"/houses/{world.house.id}").status_code == 404


def test_it_sees_no_own_house_when_no_residency_is_registered(world, api, monkeypatch):
    assert api(world.owner).get(f"/houses/{world.house.id}").status_code == 200
    restrict.forget_scope(world.owner)
    monkeypatch.setattr(restrict.providers, "residency", None)
    assert api(world.owner).get(f"/houses/{world.house.id}").status_code == 404
