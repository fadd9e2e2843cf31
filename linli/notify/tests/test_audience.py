"""The one rule of who an outbox row is for, as the SQL filter (a stream's catch-up) and as the
in-memory match (the shared poller's fan-out): both must pick the same rows."""

import itertools

import pytest

from linli.core.models import OutboxEvent
from linli.notify.audience import Audience, address, addressed_to


@pytest.mark.django_db
def test_the_sql_filter_and_the_in_memory_match_pick_the_same_rows():
    combos = list(itertools.product([None, 1, 2], [None, 10, 20]))
    OutboxEvent.objects.bulk_create(OutboxEvent(topic="t", user_id=u, community_id=c) for u, c in combos)
    rows = list(OutboxEvent.objects.values("id", "user_id", "community_id"))
    audiences = [
        Audience(1, frozenset()),
        Audience(2, frozenset({10})),
        Audience(3, frozenset({10, 20})),
        Audience(1, frozenset({20})),
    ]
    for audience in audiences:
        by_sql = set(
            OutboxEvent.objects.filter(addressed_to(audience.addresses())).values_list("id", flat=True)
        )
        in_memory = {row["id"] for row in rows if address(row) in audience.addresses()}
        assert by_sql == in_memory, audience
    # The rule itself: a user's row is that user's alone, a community's row without a user is
    # for its staff, and a row with neither is nobody's.
    wanted = {
        (row["user_id"], row["community_id"])
        for row in rows
        if address(row) in Audience(1, frozenset({10})).addresses()
    }
    assert wanted == {(1, None), (1, 10), (1, 20), (None, 10)}
