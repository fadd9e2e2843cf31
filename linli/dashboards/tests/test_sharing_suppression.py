"""The table-wide suppression of shared datasets: hand-worked cases, and on random tables built
as data sharing builds them the property it exists for, checked without its sums: no shown cell
less other shown cells inside it leaves a small count to work out."""

import itertools
import random

import pytest

from linli.dashboards.sharing_cells import (
    BUILDING,
    COMMUNITY,
    GRID,
    STREET,
    Place,
    Table,
    _add,
    _community,
    hidden,
)
from linli.dashboards.sharing_datasets import DATASETS
from linli.dashboards.suppression import THRESHOLD, Sum, suppress


@pytest.mark.parametrize(
    ("values", "sums", "hidden"),
    [
        # a community of three buildings, one small: the next smallest building goes too
        ({"A": 60, "b1": 40, "b2": 17, "b3": 3}, [Sum("A", ("b1", "b2", "b3"))], {"b2", "b3"}),
        # two small buildings adding up to 5 or more cover each other
        (
            {"A": 49, "b1": 40, "b2": 4, "b3": 3, "b4": 2},
            [Sum("A", ("b1", "b2", "b3", "b4"))],
            {"b2", "b3", "b4"},
        ),
        # people outside any building row: a residue of 2 is a small count to protect
        ({"A": 62, "b1": 40, "b2": 20}, [Sum("A", ("b1", "b2"), residue=2)], {"b2"}),
        # a large residue tells nothing
        ({"A": 70, "b1": 40, "b2": 20}, [Sum("A", ("b1", "b2"), residue=10)], set()),
        # only one child, and it is small: the parent is all that is left to hide
        ({"S": 3, "A": 3}, [Sum("S", ("A",))], {"S", "A"}),
        # a hidden child alone under its parent is open even when it is large (it protects
        # another); and the community minus its grid G would give b3 away, so G goes too
        (
            {"A": 60, "b1": 40, "b2": 17, "b3": 3, "G": 57},
            [Sum("A", ("b1", "b2", "b3")), Sum("G", ("b1", "b2")), Sum("A", ("G",), 3)],
            {"b1", "b2", "b3", "G"},
        ),
    ],
)
def test_cases(values, sums, hidden):
    assert suppress(values, sums) == hidden


def test_random_tables_as_sharing_builds_them_give_no_small_count_away():
    """Communities with buildings, people in no building, grids that share buildings or nest,
    streets: built by `sharing_cells` itself, then checked independently of its sums: no shown
    cell minus up to three shown cells inside it (disjoint) leaves a count from 1 to 4."""
    rng = random.Random(14)
    real = DATASETS["population"].fields[0]
    for _ in range(300):
        t, atoms_of, value_of = Table(), {}, {}
        for s in range(rng.randint(1, 3)):
            communities = []
            for c in range(rng.randint(1, 4)):
                cid = 100 * s + c
                ids = [1000 * cid + b for b in range(rng.randint(1, 5))]
                value_of.update({b: rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20, 40]) for b in ids})
                value_of[("rest", cid)] = rng.choice([0, 0, 1, 3, 8])
                grids = [
                    (cid * 10 + g, "", frozenset(rng.sample(ids, rng.randint(1, len(ids)))))
                    for g in range(rng.randint(0, 3))
                ]
                figures = {(cid, real.metric, f"building:{b}"): value_of[b] for b in ids}
                figures[(cid, real.metric, "")] = sum(value_of[b] for b in ids) + value_of[("rest", cid)]
                _community(t, real, "", "", Place(cid, "", None, [(b, "") for b in ids], grids), figures)
                atoms_of[(COMMUNITY, cid, real.name, "")] = frozenset([*ids, ("rest", cid)])
                atoms_of.update({(BUILDING, b, real.name, ""): frozenset([b]) for b in ids})
                atoms_of.update({(GRID, g, real.name, ""): members for g, _n, members in grids})
                communities.append((COMMUNITY, cid, real.name, ""))
            street = (STREET, s, real.name, "")
            _add(t, real, street, communities)
            atoms_of[street] = frozenset().union(*(atoms_of[c] for c in communities))
        shown = {cell for cell in t.values if cell not in hidden(t)}
        assert all(t.values[cell] >= THRESHOLD for cell in shown)
        for outer in shown:
            inside = [c for c in shown if atoms_of[c] < atoms_of[outer]]
            for n in (1, 2, 3):
                for family in itertools.combinations(inside, n):
                    held = [atoms_of[c] for c in family]
                    if sum(map(len, held)) != len(frozenset().union(*held)):
                        continue  # overlapping cells: their sum counts someone twice
                    left = t.values[outer] - sum(t.values[c] for c in family)
                    assert not 0 < left < THRESHOLD, (outer, family, left)
