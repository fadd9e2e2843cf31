"""Grids (GRID-1) narrow a grid worker to the grid's buildings: registered with core at start-up
(decision 0002), read by every restrict() through the membership."""

import pytest
from django.db import IntegrityError

from linli.core.restrict import forget_scope, scope_of
from linli.core.roles import Action
from linli.grid.models import Grid
from linli.grid.queries import buildings_of_grids
from linli.registry.models import House
from linli.testing import factories as f


def _worker_of(grid):
    return f.staff(grid.community, "grid_worker", f"gw_{grid.pk}", grid=grid)


def test_it_maps_each_grid_to_its_buildings_and_an_empty_grid_to_none(world):
    other = f.building(world.a, "7号楼")
    grid = Grid.objects.create(community=world.a, name="东网格")
    grid.buildings.add(world.building, other)
    empty = Grid.objects.create(community=world.a, name="空网格")
    assert buildings_of_grids({grid.pk, empty.pk}) == {
        grid.pk: {world.building.pk, other.pk},
        empty.pk: set(),
    }


def test_it_shows_a_grid_worker_the_houses_of_the_grid_only_and_follows_changes(world):
    other = f.building(world.a, "7号楼")
    other_house = f.house(f.unit(other), "701")
    grid = Grid.objects.create(community=world.a, name="东网格")
    grid.buildings.add(world.building)
    worker = _worker_of(grid)

    seen = set(House.objects.restrict(worker, Action.PROPERTY_VIEW).values_list("pk", flat=True))
    assert world.house.pk in seen and other_house.pk not in seen

    grid.buildings.add(other)  # the grid grows: the next request sees the new building
    forget_scope(worker)
    seen = set(House.objects.restrict(worker, Action.PROPERTY_VIEW).values_list("pk", flat=True))
    assert {world.house.pk, other_house.pk} <= seen


def test_it_lets_a_grid_without_buildings_see_nothing_rather_than_everything(world):
    worker = _worker_of(Grid.objects.create(community=world.a, name="空网格"))
    assert scope_of(worker).buildings_for(Action.PROPERTY_VIEW) == set()
    assert not House.objects.restrict(worker, Action.PROPERTY_VIEW).exists()


def test_it_keeps_grids_to_their_community(world):
    Grid.objects.create(community=world.a, name="东网格")
    theirs = Grid.objects.create(community=world.b, name="东网格")  # same name elsewhere is fine
    assert set(Grid.objects.restrict(world.admin, Action.PROPERTY_VIEW)) == set(
        Grid.objects.filter(community=world.a)
    )
    assert theirs not in Grid.objects.restrict(world.admin, Action.PROPERTY_VIEW)
    with pytest.raises(IntegrityError):
        Grid.objects.create(community=world.a, name="东网格")
