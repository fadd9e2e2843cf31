"""List endpoints keep the same number of queries however many rows they show (convention 8)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.testing.parking import next_monday, office_block


def count(client, path) -> tuple[int, int]:
    client.get(path)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        rows = client.get(path).json()
    return len(captured), len(rows)


def test_offer_and_booking_lists_keep_their_query_count(world, api):
    monday = next_monday(timezone.now())
    paths = {
        "owner": ("/parking/my/offers", "/parking/my/bookings"),
        "staff": (f"/parking/communities/{world.a.id}/offers", f"/parking/communities/{world.a.id}/bookings"),
    }

    def grow(n):
        for i in range(n):
            garage = office_block(world, spaces=2, name=f"写字楼{n}-{i}")
            api(world.owner).post(
                f"/parking/offers/{garage.offer.pk}/bookings",
                {
                    "start_at": (monday + timedelta(hours=20)).isoformat(),
                    "end_at": (monday + timedelta(hours=21)).isoformat(),
                    "plate": f"京A{n}{i:04d}",
                },
            )

    grow(1)
    few = {who: [count(api(getattr(world, who)), p) for p in ps] for who, ps in paths.items()}
    grow(4)
    many = {who: [count(api(getattr(world, who)), p) for p in ps] for who, ps in paths.items()}
    for who in paths:
        for (queries_few, rows_few), (queries_many, rows_many) in zip(few[who], many[who], strict=True):
            assert rows_many > rows_few
            assert queries_many == queries_few, (who, few, many)
