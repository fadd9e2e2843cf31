"""Who an outbox row is for: the one rule that both the event stream's SQL filter and its
in-memory fan-out are derived from, so that a stream's catch-up from the database and the shared
poller's feed can never disagree about who gets what.

The first of a row's addressing columns that is set names its addressee: a row with a user is
that user's; a row without a user but with a community is for the staff of that community
(everyone holding a role there); a row with neither is nobody's.
"""

import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

# (kind of addressee, column), in the order the rule reads them.
ADDRESSED_BY: tuple[tuple[str, str], ...] = (("user", "user_id"), ("staff", "community_id"))
ADDRESS_COLUMNS = tuple(column for _kind, column in ADDRESSED_BY)

Address = tuple[str, int]  # ("user", 7): user 7; ("staff", 3): the staff of community 3


def address(row: dict) -> Address | None:
    """Whom an outbox row (a dict holding ADDRESS_COLUMNS) is for."""
    for kind, column in ADDRESSED_BY:
        if row[column] is not None:
            return kind, row[column]
    return None


def addressed_to(addresses: set[Address]) -> Q:
    """The SQL filter for the rows whose address() is one of `addresses` (not empty)."""
    parts = []
    for position, (kind, column) in enumerate(ADDRESSED_BY):
        ids = sorted(value for k, value in addresses if k == kind)
        if ids:
            unset_before = {f"{earlier}__isnull": True for _k, earlier in ADDRESSED_BY[:position]}
            parts.append(Q(**{f"{column}__in": ids}, **unset_before))
    return reduce(operator.or_, parts)


@dataclass(frozen=True, slots=True)
class Audience:
    """Whom one stream serves: its user, and the communities where that user holds a role."""

    user_id: int
    community_ids: frozenset[int]

    def addresses(self) -> set[Address]:
        return {("user", self.user_id), *(("staff", c) for c in self.community_ids)}
