"""Data for the table-with-filters component: views say what to show, the partial says how."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    text: object = ""
    href: str = ""
    badge: str = ""  # tone of a badge to draw the text in: brand, warn, danger, info, muted
    mono: bool = False
    numeric: bool = False


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    value: str = ""
    choices: tuple = ()  # (value, label) pairs: a select; empty: a text box


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    next_url: str = ""
    first_url: str = ""
    empty_text: str = ""


def cells(*values) -> list[Cell]:
    """Plain values become plain cells (numbers right-aligned); Cells pass through."""
    return [
        v
        if isinstance(v, Cell)
        else Cell(v, numeric=isinstance(v, int | Decimal) and not isinstance(v, bool))
        for v in values
    ]
