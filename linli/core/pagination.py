"""Keyset pagination: constant cost on page 10,000 as on page 1 (no OFFSET, no COUNT)."""

from typing import Any

from ninja import Schema


class Page(Schema):
    items: list[Any]
    next_cursor: int | None = None


def keyset_page(
    queryset, *, cursor: int | None, limit: int, key: str = "id", newest_first: bool = False
) -> tuple[list, int | None]:
    limit = max(1, min(limit, 200))
    if cursor is not None:
        queryset = queryset.filter(**{f"{key}__{'lt' if newest_first else 'gt'}": cursor})
    rows = list(queryset.order_by(f"-{key}" if newest_first else key)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (getattr(rows[-1], key) if more else None)
