"""The table-wide suppression of shared datasets: hand-worked cases, and on random tables the
property it exists for: no sum whose parent is shown leaves a small count to work out."""

import random

import pytest

from linli.dashboards.sharing_suppression import Sum, _open, suppress
from linli.dashboards.suppression import THRESHOLD


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
        # a hidden child alone under its parent is open even when it is large (it protects another)
        (
            {"A": 60, "b1": 40, "b2": 17, "b3": 3, "G": 57},
            [Sum("A", ("b1", "b2", "b3")), Sum("G", ("b1", "b2"))],
            {"b1", "b2", "b3"},
        ),
    ],
)
def test_cases(values, sums, hidden):
    assert suppress(values, sums) == hidden


def test_random_nested_tables_leave_nothing_open():
    rng = random.Random(14)
    for _ in range(300):
        values, sums = {}, []
        streets = []
        for s in range(rng.randint(1, 3)):
            communities = []
            for c in range(rng.randint(1, 4)):
                buildings = [f"b{s}.{c}.{b}" for b in range(rng.randint(1, 5))]
                for b in buildings:
                    values[b] = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20, 40])
                residue = rng.choice([0, 0, 1, 3, 8])
                community = f"c{s}.{c}"
                values[community] = sum(values[b] for b in buildings) + residue
                sums.append(Sum(community, tuple(buildings), residue))
                if len(buildings) > 1:
                    grid = f"g{s}.{c}"
                    values[grid] = sum(values[b] for b in buildings[:2])
                    sums.append(Sum(grid, tuple(buildings[:2])))
                communities.append(community)
            street = f"s{s}"
            values[street] = sum(values[c] for c in communities)
            sums.append(Sum(street, tuple(communities)))
            streets.append(street)
        hidden = suppress(values, sums)
        assert all(values[cell] >= THRESHOLD for cell in values if cell not in hidden)
        for s in sums:
            if s.parent not in hidden:
                assert not _open([values[c] for c in s.children if c in hidden], s.residue), (
                    values,
                    s,
                    hidden,
                )
