"""50 bookings racing for one slot: exactly one wins, on SQLite (default) and PostgreSQL
(DATABASE_URL=postgres://…)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.errors import Conflict
from linli.parking.models import SharedBooking
from linli.parking.services import do_book_shared_space
from linli.testing.parking import next_monday, office_block
from linli.testing.threads import race

pytestmark = pytest.mark.django_db(transaction=True)


def _racers(world, offer, start, end, n):
    return [
        lambda i=i: do_book_shared_space(
            actor=world.owner, offer=offer, start_at=start, end_at=end, plate=f"京A1{i:04}"
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("spaces", [1, 2])
def test_fifty_bookings_race_for_the_free_spaces(world, spaces):
    garage = office_block(world, spaces=spaces)
    monday = next_monday(timezone.now())
    # overlapping, not equal, intervals: the check is overlap, not sameness
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=23)
    results = race(_racers(world, garage.offer, start, end, 50))
    won = [r for r in results if isinstance(r, SharedBooking)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == spaces, [r for r in results if not isinstance(r, SharedBooking | Conflict)]
    assert len(lost) == 50 - spaces and {r.code for r in lost} == {"no_free_space"}
    assert SharedBooking.objects.count() == spaces
    assert len(set(SharedBooking.objects.values_list("space_id", flat=True))) == spaces
