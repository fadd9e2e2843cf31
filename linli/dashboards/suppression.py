"""Small-count suppression: no figure about people under THRESHOLD is shown, to anyone, through
any screen, report or shared dataset, so that nobody can be singled out.

Three rules, each one a way a small count could still be worked out:

1. **Primary**: a cell under the threshold is hidden.
2. **Complementary**: when the total of a partition is shown and what is hidden under it could
   be worked out as a small count (a lone hidden cell, hidden cells adding up to less than the
   threshold), the next smallest cell is hidden too, and so on (`suppress`, over `Sum`s: data
   sharing applies it to whole tables of nested areas, `sharing_cells`).
3. **Differencing**: groups that overlap (a grid is a set of buildings, and grids may share
   buildings; a street is a set of communities) are compared pairwise: where one contains the
   other and the difference is a small count, the larger group is hidden as well.

Zero is a count under the threshold like any other: "no disabled person lives in 3号楼" is
itself a statement about the people of 3号楼."""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5


def small(value: int | None) -> bool:
    return value is None or value < THRESHOLD


def partition(values: Mapping[Hashable, int], *, total_shown: bool = True) -> dict[Hashable, int | None]:
    """The cells of one partition (the bands of an age breakdown, the buildings of a grid) with
    the small ones, and any that would give one away next to their shown total, as None."""
    if total_shown:
        total = _Total()
        hidden = suppress({**values, total: sum(values.values())}, [Sum(total, tuple(values))])
    else:
        hidden = {key for key, value in values.items() if small(value)}
    return {key: None if key in hidden else value for key, value in values.items()}


class _Total:
    """The partition's own total, as a cell no caller's key can equal."""


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


@dataclass(frozen=True)
class Sum:
    """`parent` = the children's values + `residue` (what belongs to the parent and to no child)."""

    parent: Hashable
    children: tuple[Hashable, ...]
    residue: int = 0


def suppress(values: Mapping[Hashable, int], sums: Iterable[Sum]) -> set[Hashable]:
    """The cells to hide: small ones, and whatever would let a small one be worked out."""
    sums = list(sums)
    hidden = {cell for cell, value in values.items() if small(value)}
    changed = True
    while changed:
        changed = False
        for s in sums:
            if s.parent in hidden:
                # A hidden area hides what it is made of: its children shown, it would be their
                # sum again, or a subtraction from its own parent would reach into it.
                below = [c for c in s.children if c not in hidden]
                hidden.update(below)
                changed = changed or bool(below)
                continue
            covered = [values[c] for c in s.children if c in hidden]
            if not _open(covered, s.residue):
                continue
            shown = sorted((values[c], str(c), c) for c in s.children if c not in hidden)
            hidden.add(shown[0][2] if shown else s.parent)
            changed = True
    return hidden


def _open(covered: list[int], residue: int) -> bool:
    """Whether parent minus the shown children gives something small away: a lone hidden child
    (whatever its value: it may be hidden to protect another), hidden values adding up to less
    than the threshold, or, with no hidden child, a small residue (the residue is never served,
    so a large one tells nothing)."""
    if not covered:
        return 0 < residue < THRESHOLD
    items = len(covered) + (1 if residue else 0)
    return items == 1 or sum(covered) + residue < THRESHOLD
