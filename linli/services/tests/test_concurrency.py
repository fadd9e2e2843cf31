"""Races for the last place: of many residents booking the last place of a slot, or one venue
time, at once, exactly one wins; on SQLite here, on PostgreSQL with DATABASE_URL set."""

from datetime import datetime, time

import pytest
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.services.models import ServiceBooking, SlotDay, VenueBooking
from linli.services.services import bookings, venues
from linli.testing import factories as f
from linli.testing.services import catalogue, next_weekday
from linli.testing.threads import race


def _residents(world, n):
    found = []
    for i in range(n):
        user = f.user(f"racer{i}", phone=f"1371111{i:04d}")
        house = f.house(world.house.unit, f"8{i:02d}", floor=8)
        f.occupy(house, f.person(world.a, f"住户{i}", login=user), "owner")
        found.append((user, house))
    return found


@pytest.mark.django_db(transaction=True)
def test_one_wins_the_last_place(world):
    c = catalogue(world, capacity=1)
    on = next_weekday(2)
    people = _residents(world, 8)
    outcomes = race(
        [
            lambda u=u, h=h: bookings.do_book_service(
                actor=u, offering=c.offering, slot_id=c.slot.pk, on=on, house_id=h.pk
            )
            for u, h in people
        ]
    )
    won = [o for o in outcomes if isinstance(o, ServiceBooking)]
    lost = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(won) == 1 and len(lost) == 7, outcomes
    assert {e.code for e in lost} == {"slot_full"}
    assert SlotDay.objects.get().taken == 1 and ServiceBooking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_wins_a_venue_time(world):
    c = catalogue(world)
    starts = timezone.make_aware(datetime.combine(next_weekday(4), time(15)))
    people = _residents(world, 8)
    outcomes = race(
        [
            lambda u=u, h=h: venues.do_book_venue(actor=u, venue=c.venue, house_id=h.pk, starts_at=starts)
            for u, h in people
        ]
    )
    won = [o for o in outcomes if isinstance(o, VenueBooking)]
    lost = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(won) == 1 and {e.code for e in lost} == {"venue_slot_taken"} and len(lost) == 7, outcomes
    assert VenueBooking.objects.count() == 1
