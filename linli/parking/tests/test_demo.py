"""The demo part: an office block's garage shared at night, a resident's booking, past nights."""

from django.utils import timezone

from linli.parking.demo import PAST_NIGHTS, SPACES, seed_parking_demo
from linli.parking.models import ParkingPass, SharedBooking, SharedOffer
from linli.parking.queries import offer_report


def test_it_shares_the_office_blocks_garage_and_books_a_night(world):
    summary = seed_parking_demo(world.a)
    assert summary["created"] is True
    offer = SharedOffer.objects.get(community=world.a)
    assert offer.organization.name == "星河写字楼" and offer.spaces.count() == SPACES
    coming = SharedBooking.objects.get(status="booked")
    assert coming.booker == world.owner and coming.start_at > timezone.now()
    report = offer_report(offer, timezone.now() - timezone.timedelta(days=30), timezone.now())
    assert report["bookings"] == PAST_NIGHTS and report["income_fen"] > 0
    assert ParkingPass.objects.get(house=world.house).status == "active"
    assert seed_parking_demo(world.a)["created"] is False
    assert SharedBooking.objects.count() == PAST_NIGHTS + 1


def test_a_visitor_has_paid_at_the_exit_and_the_barrier_opened(world):
    from linli.access.models import AccessEvent, ParkingRecord
    from linli.billing.models import Payment
    from linli.parking.demo import VISITOR_PLATE
    from linli.testing.access import install

    site = install(world)
    site.barrier_out.name = "地库出口"  # the demo's barrier names
    site.barrier_out.save()
    from linli.access.services.vehicles import do_plate_event

    do_plate_event(
        terminal=site.terminal("barrier"),
        plate=VISITOR_PLATE,
        now=timezone.now() - timezone.timedelta(hours=3),
    )
    seed_parking_demo(world.a)
    stay = ParkingRecord.objects.get()
    assert stay.exit_point_id == site.barrier_out.pk
    assert AccessEvent.objects.filter(reason="parking_fee_paid", point=site.barrier_out).count() == 1
    paid = Payment.objects.get(house__isnull=True)
    assert (paid.status, paid.channel, paid.amount_fen) == ("paid", "sandbox", 1500)
