"""PARK-2 through the API with the personas: offering, searching, booking, cancelling."""

from datetime import timedelta

from django.utils import timezone

from linli.parking.models import SharedBooking, SharedOffer
from linli.registry.models import ParkingSpace
from linli.testing.parking import next_monday


def iso(moment):
    return moment.isoformat()


def book(api, user, offer, start, end, plate="京A12345"):
    return api(user).post(
        f"/parking/offers/{offer.pk}/bookings", {"start_at": iso(start), "end_at": iso(end), "plate": plate}
    )


def test_it_books_a_night_and_charges_per_started_hour(world, api, garage):
    monday = next_monday(timezone.now())
    r = book(
        api, world.owner, garage.offer, monday + timedelta(hours=19), monday + timedelta(hours=31, minutes=30)
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["fee_fen"] == 500 * 13  # 19:00 → 08:00 next morning... less half an hour: 13 started hours
    assert body["plate"] == "京A12345" and body["status"] == "booked"
    mine = api(world.owner).get("/parking/my/bookings").json()
    assert [b["id"] for b in mine] == [body["id"]]
    staff_view = api(world.staff).get(f"/parking/communities/{world.a.id}/bookings").json()
    assert staff_view[0]["plate"] == "京A***45"


def test_it_refuses_bad_intervals_with_stable_codes(world, api, garage):
    monday = next_monday(timezone.now())
    cases = [
        (monday + timedelta(hours=10), monday + timedelta(hours=12), 409, "booking_outside_window"),
        (monday + timedelta(hours=20), monday + timedelta(hours=33), 409, "booking_outside_window"),
        (monday + timedelta(hours=22), monday + timedelta(hours=21), 400, "bad_interval"),
        (timezone.now() - timedelta(days=1), timezone.now() - timedelta(hours=20), 400, "booking_in_past"),
    ]
    for start, end, status, code in cases:
        r = book(api, world.owner, garage.offer, start, end)
        assert (r.status_code, r.json()["code"]) == (status, code), (start, end, r.content)
    assert not SharedBooking.objects.exists()


def test_no_space_is_booked_twice_and_a_full_offer_says_so(world, api, garage):
    monday = next_monday(timezone.now())
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=26)
    plates = ["京A10001", "京A10002", "京A10003", "京A10004"]
    codes = [book(api, world.owner, garage.offer, start, end, p) for p in plates]
    assert [r.status_code for r in codes] == [201, 201, 201, 409]
    assert codes[3].json()["code"] == "no_free_space"
    assert len({r.json()["space"] for r in codes[:3]}) == 3
    # a later, non-overlapping night takes a space again; the same car twice at once does not
    assert (
        book(api, world.owner, garage.offer, end + timedelta(hours=18), end + timedelta(hours=20)).status_code
        == 201
    )
    again = book(api, world.owner, garage.offer, start, end, plates[0])
    assert (again.status_code, again.json()["code"]) == (409, "plate_already_booked")


def test_search_and_availability_count_free_spaces(world, api, garage):
    monday = next_monday(timezone.now())
    start, end = monday + timedelta(hours=20), monday + timedelta(hours=23)
    book(api, world.owner, garage.offer, start, end)
    found = (
        api(world.tenant)
        .get(f"/parking/communities/{world.a.id}/search", {"since": iso(start), "until": iso(end)})
        .json()
    )
    assert [(row["offer"]["id"], row["free"]) for row in found] == [(garage.offer.pk, 2)]
    daytime = api(world.tenant).get(
        f"/parking/communities/{world.a.id}/search",
        {"since": iso(monday + timedelta(hours=10)), "until": iso(monday + timedelta(hours=11))},
    )
    assert daytime.json() == []
    slots = (
        api(world.owner)
        .get(
            f"/parking/offers/{garage.offer.pk}/availability",
            {"since": iso(monday), "until": iso(monday + timedelta(days=2))},
        )
        .json()
    )
    assert (
        [(s["start"][:16], s["free"]) for s in slots[:2]]
        == [
            (iso(monday + timedelta(hours=19))[:16], 2),  # Monday night, one booked
            (iso(monday + timedelta(hours=43))[:16], 3),  # Tuesday night
        ]
    )
    assert (
        api(world.outsider)
        .get(f"/parking/communities/{world.a.id}/search", {"since": iso(start), "until": iso(end)})
        .status_code
        == 404
    )
    at_counter = api(world.front_desk).get(
        f"/parking/communities/{world.a.id}/search", {"since": iso(start), "until": iso(end)}
    )
    assert [row["free"] for row in at_counter.json()] == [2]


def test_cancel_is_free_early_and_keeps_a_share_late(world, api, garage, clock):
    monday = next_monday(timezone.now())
    early = book(
        api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22)
    ).json()
    late = book(
        api, world.owner, garage.offer, monday + timedelta(hours=44), monday + timedelta(hours=46), "京A54321"
    ).json()
    r = api(world.owner).post(f"/parking/bookings/{early['id']}/cancel")
    assert (r.json()["status"], r.json()["refund_fen"], r.json()["cancel_fee_fen"]) == ("cancelled", 1000, 0)
    again = api(world.owner).post(f"/parking/bookings/{early['id']}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "booking_not_active")
    clock.set(monday + timedelta(hours=43))  # an hour before: inside the 2 hours, half is kept
    r = api(world.owner).post(f"/parking/bookings/{late['id']}/cancel")
    assert (r.json()["refund_fen"], r.json()["cancel_fee_fen"]) == (500, 500)
    # the neighbour cannot cancel someone else's; the outsider does not see it
    assert api(world.neighbour).post(f"/parking/bookings/{late['id']}/cancel").status_code == 404


def test_a_started_booking_cannot_be_cancelled(world, api, garage, clock):
    monday = next_monday(timezone.now())
    b = book(
        api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22)
    ).json()
    clock.set(monday + timedelta(hours=20, minutes=1))
    r = api(world.owner).post(f"/parking/bookings/{b['id']}/cancel")
    assert (r.status_code, r.json()["code"]) == (409, "booking_started")


def test_a_resident_offers_only_a_space_they_hold(world, api):
    mine = ParkingSpace.objects.create(community=world.a, number="B-101", kind="owned", house=world.house)
    theirs = ParkingSpace.objects.create(
        community=world.a, number="B-102", kind="owned", house=world.neighbour_house
    )
    body = {
        "community_id": world.a.id,
        "title": "我的车位白天共享",
        "person_id": world.owner_person.id,
        "space_ids": [theirs.id],
        "windows": [{"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}],
        "price_fen": 300,
        "overstay_fen": 600,
    }
    r = api(world.owner).post("/parking/offers", body)
    assert (r.status_code, r.json()["code"]) == (403, "space_not_held")
    r = api(world.owner).post("/parking/offers", {**body, "space_ids": [mine.id]})
    assert r.status_code == 201, r.content
    assert r.json()["offered_by"] != world.owner_person.name  # masked
    # the offering person sees its report; the neighbour books it by day
    offer_id = r.json()["id"]
    monday = next_monday(timezone.now())
    booked = book(
        api,
        world.neighbour,
        SharedOffer.objects.get(pk=offer_id),
        monday + timedelta(hours=9),
        monday + timedelta(hours=17),
    )
    assert booked.status_code == 201, booked.content
    report = (
        api(world.owner)
        .get(
            f"/parking/offers/{offer_id}/report",
            {"since": iso(monday), "until": iso(monday + timedelta(days=1))},
        )
        .json()
    )
    assert (report["booked_hours"], report["offered_hours"], report["income_fen"]) == (8.0, 10.0, 2400)
    assert report["occupancy"] == 0.8
    # another resident may not act for the owner
    assert api(world.neighbour).post(f"/parking/offers/{offer_id}/withdraw").status_code == 404
    withdrawn = api(world.owner).post(f"/parking/offers/{offer_id}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    again = book(
        api,
        world.tenant,
        SharedOffer.objects.get(pk=offer_id),
        monday + timedelta(hours=9),
        monday + timedelta(hours=10),
    )
    assert again.status_code in (404, 409)


def test_offer_input_is_checked(world, api, garage):
    body = {
        "community_id": world.a.id,
        "title": "重叠时段",
        "organization_id": garage.organization.id,
        "space_ids": [garage.spaces[0].id],
        "windows": [
            {"weekdays": [0, 1, 2, 3, 4], "start": "19:00", "end": "08:00"},
            {"weekdays": [5, 6], "start": "00:00", "end": "00:00"},
        ],
        "price_fen": 300,
        "overstay_fen": 600,
    }
    r = api(world.staff).post("/parking/offers", body)
    assert (r.status_code, r.json()["code"]) == (400, "windows_overlap")
    body["windows"] = body["windows"][1:]
    r = api(world.staff).post("/parking/offers", body)
    assert (r.status_code, r.json()["code"]) == (409, "space_already_offered")
    assert api(world.front_desk).post("/parking/offers", body).status_code == 403
    assert api(world.outsider).post("/parking/offers", body).status_code == 404
    assert SharedOffer.objects.count() == 1


def test_staff_see_shared_use_and_outsiders_nothing(world, api, garage):
    monday = next_monday(timezone.now())
    book(api, world.owner, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=23))
    r = api(world.front_desk).get(
        f"/parking/communities/{world.a.id}/shared-use",
        {"since": iso(monday), "until": iso(monday + timedelta(days=1))},
    )
    # Monday 19:00–24:00 is what the day offers (Sunday ended at midnight): 3 spaces × 5 hours
    assert r.json() == {"offers": 1, "offered_hours": 15.0, "booked_hours": 3.0, "rate": 0.2}
    assert api(world.outsider).get(f"/parking/communities/{world.a.id}/offers").status_code == 404
    assert api(world.outsider).get(f"/parking/offers/{garage.offer.pk}").status_code == 404


def test_staff_book_for_an_outside_driver(world, api, garage):
    monday = next_monday(timezone.now())
    r = book(
        api, world.staff, garage.offer, monday + timedelta(hours=20), monday + timedelta(hours=22), "沪B77777"
    )
    assert r.status_code == 201, r.content
    assert (
        book(
            api,
            world.front_desk,
            garage.offer,
            monday + timedelta(hours=20),
            monday + timedelta(hours=22),
            "沪B77778",
        ).json()["code"]
        == "not_resident"
    )
