"""Small-count suppression over a whole table of nested cells, for data sharing.

The shared datasets are cut at several levels at once (street ⊃ community ⊃ grid, building), and
a city system may read every level it was granted. The rules of `suppression` are applied to
the table as a whole, so that no combination of the cells it is ever served gives a small count
away:

- a cell whose count is under the threshold is hidden (primary);
- every "sum": a parent cell equal to the sum of disjoint child cells plus what no child shows
  (a community's people living outside any building row; a grid's buildings). Whenever the
  parent is shown and what is hidden under it could be worked out as a small count (a single
  hidden child, or hidden children and residue adding up to less than the threshold), the
  smallest child still shown is hidden too, or the parent when none is left (complementary and
  differencing: a community minus its other buildings, a street minus its other communities,
  a grid minus the grid it contains).

- a hidden parent hides its children: shown, they would add up to it again, and a subtraction
  from the level above could reach into it (a street minus one community minus the buildings
  of another).

The passes repeat until nothing changes: hiding one cell may open a subtraction elsewhere.
Hiding only ever grows, so it ends. The table is computed for every cell of the nested sets,
whatever a request asks for, and a request is served a projection of it: two requests, or two
tokens, can never be played against each other (docs/data-sharing.md)."""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from linli.dashboards.suppression import THRESHOLD, small


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
