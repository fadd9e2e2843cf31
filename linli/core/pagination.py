"""Keyset pagination: constant cost on page 10,000 as on page 1 (no OFFSET, no COUNT)."""

from django.db.models import Q


def keyset_page(
    queryset,
    *,
    cursor: int | None,
    limit: int,
    key: str = "id",
    newest_first: bool = False,
    time_key: str | None = None,
) -> tuple[list, int | None]:
    """One page ordered by `key`, or by (`time_key`, `key`) when rows are listed by when they
    happened rather than when they were stored (an offline terminal uploads old events late).
    The cursor stays the last row's `key`: the next page looks that row's time up again."""
    limit = max(1, min(limit, 200))
    op = "lt" if newest_first else "gt"
    if cursor is not None:
        anchor = (
            queryset.filter(**{key: cursor}).values_list(time_key, flat=True).first() if time_key else None
        )
        if time_key and anchor is not None:
            queryset = queryset.filter(
                Q(**{f"{time_key}__{op}": anchor}) | Q(**{time_key: anchor, f"{key}__{op}": cursor})
            )
        else:
            queryset = queryset.filter(**{f"{key}__{op}": cursor})
    sign = "-" if newest_first else ""
    order = [f"{sign}{time_key}", f"{sign}{key}"] if time_key else [f"{sign}{key}"]
    rows = list(queryset.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (getattr(rows[-1], key) if more else None)
