"""`household_user_ids` (hand-written SQL) names the accounts the ORM names: the users of the
people living in the house today, once each, none of a neighbour's, none without an account."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.registry.models import Occupancy
from linli.registry.queries import household_user_ids
from linli.testing import factories as f


def by_orm(house_id: int) -> set[int]:
    return set(
        Occupancy.objects.active()
        .filter(house_id=house_id, person__user_id__isnull=False)
        .values_list("person__user_id", flat=True)
    )


@pytest.mark.django_db
def test_the_household_is_who_the_orm_says_lives_there():
    seed = random.randrange(10**6)  # a new one each run, in the failure message to replay
    rng = random.Random(seed)
    today = timezone.localdate()
    community = f.community()
    unit = f.unit(f.building(community))
    houses = [f.house(unit, f"{n}01") for n in range(1, 4)]
    people = [
        f.person(community, f"住户{i}", login=f.user() if rng.random() < 0.7 else None) for i in range(8)
    ]
    for _ in range(24):
        valid_from = today + timedelta(days=rng.choice([-30, -1, 0, 1]))
        valid_to = rng.choice([None, today - timedelta(days=1), today, today + timedelta(days=9)])
        if valid_to is not None and valid_to < valid_from:
            valid_to = None
        relation = rng.choice(["owner", "family", "tenant"] if valid_to else ["owner", "family"])
        occupancy = f.occupy(
            rng.choice(houses), rng.choice(people), relation, valid_from=valid_from, valid_to=valid_to
        )
        if rng.random() < 0.2:
            Occupancy.objects.filter(pk=occupancy.pk).update(ended_at=timezone.now())
    told = {}
    for house in houses:
        told[house.pk] = household_user_ids(house.pk)
        assert len(told[house.pk]) == len(set(told[house.pk])), seed  # once each
        assert set(told[house.pk]) == by_orm(house.pk), seed
    assert any(told.values()), seed  # the draw put someone somewhere
