"""parking's part of a demo community: `seed_parking_demo(community)`, called by the demo seeder
after engage. An office block next to the estate (星河写字楼, an organisation of the community)
shares 20 spaces of its garage on weekday nights (19:00–08:00, Friday until midnight) and all
weekend; a resident has booked the coming night for their car, and a few past nights were used
(so the console shows occupancy and income); the same household holds a paid monthly pass, for
its own space when it has one (so the spaces map shows a space taken by a pass). The community
charges temporary parking, and a visitor's car has just paid at the exit (the rest of the
visitors' cars are inside, owing: console → 停车 → 出口收费). Idempotent; small, since the demo
build is timed."""

from datetime import time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from linli.access import queries as access_queries
from linli.access.services.vehicles import do_plate_event
from linli.billing import queries as billing_queries
from linli.billing.services import pay, setup, stay_fees
from linli.core.crypto import blind_index
from linli.core.models import Membership
from linli.core.roles import Role
from linli.parking import services
from linli.parking.choices import BookingStatus, PassPeriod
from linli.parking.models import SharedBooking, SharedOffer
from linli.parking.windows import WEEKENDS, Window, occurrences, started_hours
from linli.registry.choices import OWNING, OrgKind, SpaceKind
from linli.registry.models import Occupancy, Organization, ParkingSpace, Vehicle

OFFICE = "星河写字楼"
SPACES = 20
WINDOWS = [
    Window(frozenset(range(4)), time(19), time(8)),  # Monday–Thursday nights
    Window(frozenset({4}), time(19), time(0)),  # Friday until the weekend begins
    Window(WEEKENDS, time(0), time(0)),
]
PAST_NIGHTS = 3


@transaction.atomic
def seed_parking_demo(community, *, seed: int = 42) -> dict:
    if SharedOffer.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    admin = Membership.objects.filter(community=community, role=Role.COMMUNITY_ADMIN).first()
    owner = (
        Occupancy.objects.active()
        .filter(house__community=community, relation__in=OWNING, person__user__isnull=False)
        .select_related("person__user")
        .order_by("id")
        .first()
    )
    if admin is None or owner is None:
        return {"community": community.code, "created": False}
    office = Organization.objects.create(community=community, kind=OrgKind.MERCHANT, name=OFFICE)
    spaces = ParkingSpace.objects.bulk_create(
        ParkingSpace(
            community=community, number=f"XH-{n:03d}", kind=SpaceKind.SHARED, area_name=f"{OFFICE}地库"
        )
        for n in range(1, SPACES + 1)
    )
    _temporary_parking_fee(community, admin.user)
    offer = services.do_create_offer(
        actor=admin.user,
        community_id=community.pk,
        title=f"{OFFICE}夜间及周末共享",
        organization_id=office.pk,
        space_ids=[s.pk for s in spaces],
        windows=WINDOWS,
        price_fen=400,
        overstay_fen=1000,
    )
    person = owner.person
    car = Vehicle.objects.filter(person=person).first()
    plate = car.plate if car else "京A00001"
    now = timezone.now()
    night = next(
        o for o in occurrences(WINDOWS, now, now + timedelta(days=7)) if o[0] > now + timedelta(hours=1)
    )
    services.do_book_shared_space(
        actor=person.user,
        offer=offer,
        start_at=night[0] + timedelta(hours=1),
        end_at=night[0] + timedelta(hours=11),
        plate=plate,
    )
    _past_nights(offer, spaces, person.user, plate, now)
    _daytime_for_office_workers(community, admin.user)
    # the same household's monthly pass, paid at the counter, for the household's own space if
    # it has one (the console's spaces map shows it taken by the pass)
    own_space = ParkingSpace.objects.filter(community=community, house=owner.house).order_by("id").first()
    parking_pass = services.do_issue_pass(
        actor=admin.user,
        house=owner.house,
        person=person,
        plate=plate,
        period=PassPeriod.MONTHLY,
        valid_from=timezone.localdate() - timedelta(days=10),
        fee_fen=30000,
        space_id=own_space.pk if own_space else None,
    )
    services.do_record_counter_payment(actor=admin.user, parking_pass=parking_pass)
    _visitor_pays_at_the_exit(community, now)
    return {
        "community": community.code,
        "created": True,
        "spaces": SPACES,
        "bookings": PAST_NIGHTS + 1,
        "passes": 1,
    }


def _past_nights(offer, spaces, booker, plate, now) -> None:
    """Nights already used: written as they ended (the booking service refuses the past)."""
    past = occurrences(WINDOWS, now - timedelta(days=10), now - timedelta(days=1))[:PAST_NIGHTS]
    for i, (start, _end) in enumerate(past):
        begin, finish = start + timedelta(hours=1), start + timedelta(hours=10)
        SharedBooking.objects.create(
            community_id=offer.community_id,
            offer=offer,
            space=spaces[i + 1],
            start_at=begin,
            end_at=finish,
            plate=plate,
            plate_bidx=blind_index("plate", plate),
            booker=booker,
            status=BookingStatus.COMPLETED,
            fee_fen=offer.price_fen * started_hours(begin, finish),
            entered_at=begin + timedelta(minutes=5),
            exited_at=finish - timedelta(minutes=20),
        )


DAYTIME = [Window(frozenset(range(5)), time(8, 30), time(17, 30))]  # office hours


def _daytime_for_office_workers(community, actor) -> None:
    """The other half of seed 002: by day the property company shares half of the community's
    surface visitor spaces with office workers nearby, open to the public — they book signed in
    with their phone and pay online."""
    company = Organization.objects.filter(community=community, kind=OrgKind.PROPERTY_COMPANY).first()
    spaces = list(
        ParkingSpace.objects.filter(community=community, kind=SpaceKind.VISITOR, house__isnull=True).order_by(
            "id"
        )
    )
    if company is None or not spaces:
        return
    services.do_create_offer(
        actor=actor,
        community_id=community.pk,
        title="地面车位工作日白天对外共享",
        organization_id=company.pk,
        space_ids=[s.pk for s in spaces[: max(len(spaces) // 2, 1)]],
        windows=DAYTIME,
        price_fen=300,
        overstay_fen=600,
        open_to_public=True,
    )


# A visitor's car of access's demo traffic (inside for a few hours, no pass).
VISITOR_PLATE = "豫A7B123"


def _temporary_parking_fee(community, actor) -> None:
    """5 元 an hour after 30 free minutes, 30 元 a day at most: what visitors pay at the exit, and
    the item residents' shared bookings are billed under."""
    if not billing_queries.bills_kind(community.pk, setup.FeeKind.PARKING_TEMPORARY):
        item = setup.do_create_fee_item(
            actor=actor,
            community=community,
            name="临时停车费",
            kind=setup.FeeKind.PARKING_TEMPORARY,
            cycle=setup.Cycle.ONCE,
        )
        standard = setup.do_create_standard(
            actor=actor,
            fee_item=item,
            effective_from=timezone.localdate() - timedelta(days=30),
            unit_price_fen=500,
            free_minutes=30,
            period_minutes=60,
            daily_cap_fen=3000,
            basis="参照本市住宅小区临时停车收费指导价",
        )
        setup.do_publish_standard(actor=actor, standard=standard)


def _visitor_pays_at_the_exit(community, now) -> None:
    """The visitor's car was held at the garage exit three minutes ago and its driver paid by the
    barrier's code — through the sandbox's signed notification, the same path as WeChat Pay's —
    so the barrier opened."""
    exit_lane = access_queries.terminal_at(community.pk, "地库出口")
    if exit_lane is None:
        return
    held = do_plate_event(terminal=exit_lane, plate=VISITOR_PLATE, now=now - timedelta(minutes=3))
    bill = stay_fees.open_stay_bill(held.detail.get("parking") or 0) if not held.allowed else None
    if bill is not None and "sandbox" in dict(stay_fees.online_channels()):
        order = pay.do_create_houseless_order(bill=bill, channel="sandbox")
        pay.do_confirm_sandbox(actor=AnonymousUser(), out_trade_no=order.payment.out_trade_no)
