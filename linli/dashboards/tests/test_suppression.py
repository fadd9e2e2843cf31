"""Suppression rules, table-driven: what is hidden and why (docs/dashboards.md)."""

import pytest

from linli.dashboards import suppression as s


@pytest.mark.parametrize(
    ("cells", "hidden"),
    [
        ({"a": 10, "b": 20}, set()),
        ({"a": 4, "b": 20, "c": 9}, {"a", "c"}),  # one small cell: the next smallest goes too
        ({"a": 4, "b": 3, "c": 9}, {"a", "b"}),  # two small cells cover each other
        ({"a": 0, "b": 50, "c": 60}, {"a", "b"}),  # zero is a statement about people too
        ({"a": 5, "b": 5}, set()),  # the threshold itself is shown
        ({"only": 3}, {"only"}),
        ({"a": 0, "b": 0, "c": 50}, {"a", "b", "c"}),  # two hidden adding up to 0: both empty
        ({"a": 1, "b": 0, "c": 30, "d": 40}, {"a", "b", "c"}),  # 1 + 0 is still a small count
    ],
)
def test_partition(cells, hidden):
    shown = s.partition(cells)
    assert {k for k, v in shown.items() if v is None} == hidden
    assert all(shown[k] == v for k, v in cells.items() if k not in hidden)


def test_partition_without_a_shown_total_hides_only_the_small():
    assert s.partition({"a": 4, "b": 20, "c": 9}, total_shown=False) == {"a": None, "b": 20, "c": 9}


@pytest.mark.parametrize(
    ("groups", "hidden"),
    [
        # grid B is grid A plus 3号楼 with 3 people: B − A would give 3号楼 away
        ({"A": {"b1", "b2"}, "B": {"b1", "b2", "b3"}}, {"B"}),
        # plus 4号楼 with 30 people: the difference is no small count
        ({"A": {"b1", "b2"}, "B": {"b1", "b2", "b4"}}, set()),
        # disjoint grids: nothing to subtract
        ({"A": {"b1"}, "B": {"b3", "b4"}}, set()),
        # a group under the threshold on its own
        ({"A": {"b3"}, "B": {"b1", "b2"}}, {"A"}),
        # the same buildings twice: equal, nothing given away
        ({"A": {"b1", "b2"}, "B": {"b1", "b2"}}, set()),
        # an empty building added changes nothing
        ({"A": {"b1", "b2"}, "B": {"b1", "b2", "b5"}}, set()),
    ],
)
def test_overlapping_groups(groups, hidden):
    atoms = {"b1": 40, "b2": 25, "b3": 3, "b4": 30, "b5": 0}
    shown = s.overlapping({k: frozenset(v) for k, v in groups.items()}, atoms)
    assert {k for k, v in shown.items() if v is None} == hidden
