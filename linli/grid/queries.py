"""Reads of grids."""

from linli.grid.models import Grid


def buildings_of_grids(grid_ids: set[int]) -> dict[int, set[int]]:
    """{grid id: the ids of its buildings}; a grid without buildings maps to an empty set."""
    found: dict[int, set[int]] = {grid_id: set() for grid_id in grid_ids}
    for grid_id, building_id in Grid.buildings.through.objects.filter(grid_id__in=grid_ids).values_list(
        "grid_id", "building_id"
    ):
        found[grid_id].add(building_id)
    return found


def grids_of_building(building_id: int) -> list[int]:
    """The ids of the grids that cover a building."""
    return list(
        Grid.buildings.through.objects.filter(building_id=building_id).values_list("grid_id", flat=True)
    )


def grid_in(community_id: int, grid_id: int) -> Grid | None:
    return Grid.objects.filter(pk=grid_id, community_id=community_id).first()


def grids_of_community(community_id: int) -> list[tuple[int, str]]:
    """(id, name) of the community's grids, in the order they were drawn."""
    return list(Grid.objects.filter(community_id=community_id).order_by("id").values_list("id", "name"))


def grids_of_communities(community_ids) -> dict[int, list[tuple[int, str, frozenset[int]]]]:
    """For dashboards' shared datasets: each community's grids as (id, name, building ids), in
    the order they were drawn, in two queries whatever the number of communities."""
    found: dict[int, list[tuple[int, str, frozenset[int]]]] = {c: [] for c in community_ids}
    grids = list(
        Grid.objects.filter(community_id__in=list(found))
        .order_by("id")
        .values_list("community_id", "id", "name")
    )
    members = buildings_of_grids({grid_id for _c, grid_id, _n in grids})
    for community_id, grid_id, name in grids:
        found[community_id].append((grid_id, name, frozenset(members[grid_id])))
    return found
