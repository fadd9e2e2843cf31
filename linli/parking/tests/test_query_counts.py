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


def test_the_spaces_map_keeps_its_query_count_however_many_spaces(world, browser):
    """The map reads every space's state in bulk: more spaces, bookings and passes, same queries."""
    from linli.parking import services
    from linli.registry.models import ParkingSpace

    client = browser(world.staff)
    path = f"/parking/staff/{world.a.id}/spaces/"
    monday = next_monday(timezone.now())

    def grow(n):
        for i in range(n):
            garage = office_block(world, spaces=3, name=f"车库{n}-{i}")
            services.do_book_shared_space(
                actor=world.owner,
                offer=garage.offer,
                start_at=monday + timedelta(hours=20),
                end_at=monday + timedelta(hours=21),
                plate=f"京A{n}{i:04d}",
            )
            ParkingSpace.objects.create(
                community=world.a, number=f"P{n}-{i}", kind="visitor", area_name=f"地面{n}-{i}"
            )
            owned = ParkingSpace.objects.create(
                community=world.a, number=f"H{n}-{i}", kind="owned", area_name="地下一层", house=world.house
            )
            parking_pass = services.do_issue_pass(
                actor=world.staff,
                house=world.house,
                person=world.owner_person,
                plate=f"京C{n}{i:04d}",
                period="monthly",
                valid_from=timezone.localdate(),
                fee_fen=30000,
                space_id=owned.pk,
            )
            services.do_record_counter_payment(actor=world.staff, parking_pass=parking_pass)

    def queries_and_tiles():
        client.get(path)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            page = client.get(path).content.decode()
        return len(captured), page.count('class="badge badge-')

    grow(1)
    few, tiles_few = queries_and_tiles()
    grow(5)
    many, tiles_many = queries_and_tiles()
    assert tiles_many > tiles_few
    assert many == few, (few, many)
