"""The cells of a shared dataset: every level of the nested areas (street ⊃ community ⊃ grid,
building) computed from the daily figures, suppressed as one table, and a request's level and
communities projected out of it.

The table always spans whole streets (every community of each street in play, whoever holds a
token for it): whatever a token asks, and whichever token asks, a cell is hidden or shown alike,
so that neither two requests nor two tokens can be subtracted from each other."""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

from linli.core import queries as core_queries
from linli.dashboards import queries
from linli.dashboards.models.sharing import Level
from linli.dashboards.sharing_datasets import Dataset, Field
from linli.dashboards.suppression import Sum, small, suppress
from linli.grid import queries as grid_queries
from linli.registry import queries as registry_queries

Cell = tuple[str, Hashable, str, str]  # (level, area key, field name, breakdown value)
# Plain strings in the cells: an enum member hashes in Python, and the table hashes cells a lot.
STREET, COMMUNITY, GRID, BUILDING = (
    str(level.value) for level in (Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING)
)
Street = tuple[str, str]  # (district, street)


@dataclass(frozen=True)
class Place:
    """One community of the table, with its buildings and grids."""

    id: int
    name: str
    street: Street | None  # None: no street recorded, so no street cell holds it
    buildings: list[tuple[int, str]]
    grids: list[tuple[int, str, frozenset[int]]]


@dataclass
class Table:
    values: dict[Cell, int] = field(default_factory=dict)
    sums: list[Sum] = field(default_factory=list)
    people: set[Cell] = field(default_factory=set)  # the cells counting people
    grids: dict[Cell, tuple[Cell, ...]] = field(default_factory=dict)  # a grid's building cells
    day: date | None = None  # a stock's reading day


def street_of(district: str, street: str) -> Street | None:
    return (district, street) if street else None


def places(community_ids: set[int]) -> dict[int, Place]:
    rows = (
        core_queries.any_community()
        .filter(pk__in=community_ids)
        .values_list("id", "name", "district", "street")
    )
    buildings = registry_queries.buildings_of_communities(community_ids)
    grids = grid_queries.grids_of_communities(community_ids)
    return {
        cid: Place(cid, name, street_of(district, street), buildings[cid], grids[cid])
        for cid, name, district, street in rows
    }


def streets_of(community_ids: set[int]) -> set[Street]:
    rows = core_queries.any_community().filter(pk__in=community_ids).exclude(street="")
    return set(rows.values_list("district", "street").distinct())


def streets_whole(streets: set[Street]) -> dict[Street, set[int]]:
    """Every community of each street, across the installation."""
    found: dict[Street, set[int]] = {s: set() for s in streets}
    if not streets:
        return found
    rows = core_queries.any_community().filter(street__in={s for _d, s in streets})
    for cid, district, street in rows.values_list("id", "district", "street"):
        if (district, street) in found:
            found[(district, street)].add(cid)
    return found


def table(dataset: Dataset, places_: dict[int, Place], since: date, until: date) -> Table:
    ids = list(places_)
    t = Table()
    if dataset.stock:
        t.day, figures = queries.stocks(ids, dataset.metrics, on=until)
    else:
        figures = queries.flows(ids, dataset.metrics, since, until)
    by_street: dict[Street, list[int]] = defaultdict(list)
    for p in places_.values():
        if p.street is not None:
            by_street[p.street].append(p.id)
    for f in dataset.fields:
        for value in _breakdown_values(f, figures):
            part = f.breakdown + value
            for p in places_.values():
                _community(t, f, value, part, p, figures)
            for street, members in by_street.items():
                _add(
                    t,
                    f,
                    (STREET, street, f.name, value),
                    [(COMMUNITY, c, f.name, value) for c in members],
                )
        if f.splits:
            _splits(t, f, _breakdown_values(f, figures), places_, by_street)
    return t


def _breakdown_values(f: Field, figures: dict) -> list[str]:
    if not f.breakdown:
        return [""]
    if f.values is not None:
        return list(f.values)
    return sorted(
        {
            part.removeprefix(f.breakdown)
            for _c, m, part in figures
            if m == f.metric and part.startswith(f.breakdown)
        }
    )


def _community(t: Table, f: Field, value: str, part: str, p: Place, figures: dict) -> None:
    whole: Cell = (COMMUNITY, p.id, f.name, value)
    _set(t, f, whole, figures.get((p.id, f.metric, part), 0))
    if f.finest != BUILDING:
        return
    cells = {}
    for building_id, _name in p.buildings:
        cells[building_id] = (BUILDING, building_id, f.name, value)
        _set(t, f, cells[building_id], figures.get((p.id, f.metric, f"building:{building_id}"), 0))
    _sum(t, f, whole, list(cells.values()))
    for grid_id, _name, members in p.grids:
        grid: Cell = (GRID, grid_id, f.name, value)
        t.values[grid] = sum(t.values[cells[b]] for b in members if b in cells)
        if f.about.people:
            t.people.add(grid)
            t.grids[grid] = tuple(cells[b] for b in members if b in cells)


def _splits(t: Table, f: Field, values: list[str], places_: dict[int, Place], by_street: dict) -> None:
    """The breakdown's cells add up to the field it splits, in each community and street."""
    areas = [(COMMUNITY, p.id) for p in places_.values()] + [(STREET, s) for s in by_street]
    for level, key in areas:
        _sum(t, f, (level, key, f.splits, ""), [(level, key, f.name, v) for v in values])


def _set(t: Table, f: Field, cell: Cell, value: int) -> None:
    t.values[cell] = value
    if f.about.people:
        t.people.add(cell)


def _add(t: Table, f: Field, parent: Cell, children: list[Cell]) -> None:
    """A cell that is the sum of others (a grid of its buildings, a street of its communities)."""
    t.values[parent] = sum(t.values[c] for c in children)
    if f.about.people:
        t.people.add(parent)
        t.sums.append(Sum(parent, tuple(children)))


def _sum(t: Table, f: Field, parent: Cell, children: list[Cell]) -> None:
    if f.about.people:
        rest = t.values[parent] - sum(t.values[c] for c in children)
        t.sums.append(Sum(parent, tuple(children), max(rest, 0)))


def hidden(t: Table) -> set[Cell]:
    """The table's sums suppressed together; then every grid holding a hidden building (or
    small itself). Grids may share buildings, so a grid shown over a hidden building could be
    played against the community or another grid; shown only over shown buildings, a grid tells
    nothing the buildings do not (as in the government view, `suppression.over_shown_atoms`)."""
    found = suppress({c: t.values[c] for c in t.people}, t.sums)
    return found | {
        grid for grid, members in t.grids.items() if small(t.values[grid]) or any(m in found for m in members)
    }


@dataclass
class Answer:
    body: dict
    withheld: int  # cells served without their value


def read(
    dataset: Dataset, granted: set[int], level: str, community: int | None, since: date, until: date
) -> Answer:
    """The cells of `level` over the token's communities (or the one of them asked for); at the
    street level, the streets whose every community the token holds."""
    chosen_ids = {community} if community is not None else granted
    whole = streets_whole(streets_of(chosen_ids))
    everywhere = places(chosen_ids | {c for members in whole.values() for c in members})
    chosen = {c: p for c, p in everywhere.items() if c in chosen_ids}
    t = table(dataset, everywhere, since, until)
    hide = hidden(t)
    areas = _areas(level, chosen, {s for s, members in whole.items() if members <= granted})
    fields = dataset.fields_at(level)
    index = _index(t, level)
    cells = []
    for key, area in areas:
        for f in fields:
            for value in index[key][f.name]:
                cell = (level, key, f.name, value)
                shown = cell not in hide
                cells.append(
                    {
                        "area": area,
                        "field": f.name,
                        "breakdown": value,
                        "value": t.values[cell] if shown else None,
                    }
                )
    period = {"as_of": t.day} if dataset.stock else {"since": since, "until": until}
    body = {"dataset": dataset.key, "level": level, **period, "cells": cells}
    return Answer(body, sum(1 for c in cells if c["value"] is None))


def streets_held(granted: set[int], community: int) -> bool:
    """Whether the token holds every community of `community`'s street."""
    streets = streets_of({community})
    return bool(streets) and all(members <= granted for members in streets_whole(streets).values())


def _areas(level: str, chosen: dict[int, Place], streets: set[Street]) -> list[tuple[Hashable, dict]]:
    ordered = sorted(chosen.values(), key=lambda p: p.id)
    if level == STREET:
        return [(s, {"district": s[0], "street": s[1]}) for s in sorted(streets)]
    if level == COMMUNITY:
        return [(p.id, {"community": p.id, "name": p.name}) for p in ordered]
    if level == GRID:
        return [(g, {"community": p.id, "grid": g, "name": n}) for p in ordered for g, n, _m in p.grids]
    return [(b, {"community": p.id, "building": b, "name": n}) for p in ordered for b, n in p.buildings]


def _index(t: Table, level: str) -> dict[Hashable, dict[str, list[str]]]:
    """{area key: {field name: its breakdown values}} of one level, in the catalogue's order."""
    found: dict[Hashable, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for lv, key, name, value in t.values:
        if lv == level:
            found[key][name].append(value)
    return found
