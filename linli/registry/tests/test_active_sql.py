"""The SQL twin of `Occupancy.objects.active()` (linli.registry.sql.active_occupancy, used by the
registry's and the gate's hand-written reads) picks the same occupancies as the ORM, on every
side of the rule: started or ending yesterday, today or tomorrow, open-ended, moved out."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from linli.core import rawsql
from linli.registry.models import Occupancy
from linli.registry.sql import active_occupancy
from linli.testing import factories as f


def active_by_sql(on) -> set[int]:
    condition, days = active_occupancy("o")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id FROM {rawsql.table(Occupancy)} o WHERE {condition}",
            [connection.ops.adapt_datefield_value(on)] * days,
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_the_sql_fragment_picks_what_the_orm_picks():
    # A new seed each run (in the body: a parametrised random id would differ between the
    # parallel workers' collections); it is in the failure message to replay.
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    today = timezone.localdate()
    days = [today + timedelta(days=n) for n in (-2, -1, 0, 1, 2)]
    community = f.community()
    house = f.house(f.unit(f.building(community)))
    people = [f.person(community, f"住户{i}") for i in range(3)]
    for _ in range(40):
        valid_from = rng.choice(days)
        valid_to = rng.choice([None, *(day for day in days if day >= valid_from)])
        relation = rng.choice(["owner", "family", "tenant"] if valid_to else ["owner", "family"])
        occupancy = f.occupy(house, rng.choice(people), relation, valid_from=valid_from, valid_to=valid_to)
        if rng.random() < 0.25:  # moved out, a moment or days ago
            moved_out = timezone.now() - timedelta(hours=rng.choice([0, 1, 30, 80]))
            Occupancy.objects.filter(pk=occupancy.pk).update(ended_at=moved_out)
    for on in days[1:-1]:  # yesterday, today, tomorrow: every row's dates fall on some side
        by_orm = set(Occupancy.objects.active(on).values_list("pk", flat=True))
        assert active_by_sql(on) == by_orm, (seed, on)
    assert 0 < len(active_by_sql(today)) < Occupancy.objects.count(), seed  # the rule decided something
