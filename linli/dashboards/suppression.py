"""Small-count suppression: no figure about people under THRESHOLD is shown, to anyone, through
any screen, report or shared dataset, so that nobody can be singled out.

Three rules, each one a way a small count could still be worked out:

1. **Primary**: a cell under the threshold is hidden.
2. **Complementary**: when exactly one cell of a partition is hidden and the partition's total
   is shown, the hidden one is a subtraction away; the next smallest cell is hidden too.
3. **Differencing**: groups that overlap (a grid is a set of buildings, and grids may share
   buildings; a street is a set of communities) are compared pairwise: where one contains the
   other and the difference is a small count, the larger group is hidden as well.

Zero is a count under the threshold like any other: "no disabled person lives in 3号楼" is
itself a statement about the people of 3号楼."""

from collections.abc import Hashable, Mapping

THRESHOLD = 5


def small(value: int | None) -> bool:
    return value is None or value < THRESHOLD


def partition(values: Mapping[Hashable, int], *, total_shown: bool = True) -> dict[Hashable, int | None]:
    """The cells of one partition (the bands of an age breakdown, the buildings of a grid) with
    the small ones, and any that would give one away, as None."""
    hidden = {key for key, value in values.items() if small(value)}
    if total_shown and len(hidden) == 1 and len(values) > 1:
        shown = sorted((value, str(key), key) for key, value in values.items() if key not in hidden)
        hidden.add(shown[0][2])
    return {key: None if key in hidden else value for key, value in values.items()}


def overlapping(
    groups: Mapping[Hashable, frozenset], atoms: Mapping[Hashable, int]
) -> dict[Hashable, int | None]:
    """Sums of overlapping groups of atoms (grids over buildings): a group is hidden when its sum
    is small, or when it contains another group and the difference between them is small
    (but not nothing: equal groups give nothing away)."""
    sums = {key: sum(atoms.get(atom, 0) for atom in members) for key, members in groups.items()}
    hidden = {key for key, value in sums.items() if small(value)}
    for key, members in groups.items():
        for other, inner in groups.items():
            if other == key or not inner < members:
                continue
            difference = sum(atoms.get(atom, 0) for atom in members - inner)
            if 0 < difference < THRESHOLD:
                hidden.add(key)
    return {key: None if key in hidden else value for key, value in sums.items()}


def over_shown_atoms(
    groups: Mapping[Hashable, frozenset], atoms: Mapping[Hashable, int], shown: Mapping[Hashable, int | None]
) -> dict[Hashable, int | None]:
    """`overlapping`, for groups whose atoms are also shown one by one (grids over buildings shown
    with their own figures): a group holding an atom hidden in `shown` is hidden as well, since
    the group minus its shown atoms would be that atom (or a sum of hidden ones)."""
    sums = overlapping(groups, atoms)
    for key, members in groups.items():
        if any(atom in shown and shown[atom] is None for atom in members):
            sums[key] = None
    return sums


def under(parent_shown: bool, cells: Mapping[Hashable, int | None]) -> dict[Hashable, int | None]:
    """The cells of a hidden parent are hidden too: shown, they would add up to it."""
    return dict(cells) if parent_shown else {key: None for key in cells}


def note(value: int | None, shown: int | None) -> str:
    """How a hidden cell reads: "<5" when it is small itself, "*" when it is hidden so that a
    small one cannot be worked out from it; "" when shown."""
    if shown is not None:
        return ""
    return f"<{THRESHOLD}" if small(value) else "*"
