"""Test support for parking: an office block sharing its garage at night with community A, a
resident's own space, and the ids the outsider and narrowed-staff walks probe."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from linli.billing.choices import Cycle, FeeKind
from linli.billing.models import FeeStandard
from linli.parking import services
from linli.parking.models import SharedOffer
from linli.parking.windows import TZ, WEEKDAYS, WEEKENDS, Window
from linli.registry.models import Organization, ParkingSpace
from linli.testing import billing_money
from linli.testing import factories as f

NIGHTS = Window(frozenset(range(4)), time(19), time(8))  # Monday–Thursday evenings
FRIDAY_NIGHT = Window(frozenset({4}), time(19), time(0))  # until the weekend starts
WEEKEND_DAYS = Window(WEEKENDS, time(0), time(0))
OFFICE_HOURS = Window(WEEKDAYS, time(8), time(18))
GARAGE_WINDOWS = [NIGHTS, FRIDAY_NIGHT, WEEKEND_DAYS]


@dataclass
class Garage:
    organization: Organization
    spaces: list[ParkingSpace]
    offer: SharedOffer


def office_block(world, spaces: int = 3, name: str = "星河写字楼") -> Garage:
    """An office block of community A (an organisation with its premises as a house) sharing
    `spaces` spaces of its garage on weekday nights and at weekends, 5 元 an hour."""
    building = f.building(world.a, f"{name}楼")
    premises = f.house(f.unit(building), "整栋", floor=1)
    organization = Organization.objects.create(community=world.a, kind="merchant", name=name, house=premises)
    rows = [
        ParkingSpace.objects.create(
            community=world.a, number=f"O{organization.pk}-{n:03}", kind="owned", house=premises
        )
        for n in range(1, spaces + 1)
    ]
    offer = services.do_create_offer(
        actor=world.staff,
        community_id=world.a.id,
        title=f"{name}夜间共享",
        organization_id=organization.pk,
        space_ids=[s.pk for s in rows],
        windows=GARAGE_WINDOWS,
        price_fen=500,
        overstay_fen=1000,
    )
    return Garage(organization, rows, offer)


def temporary_tariff(community, *, price_fen: int = 500, free_minutes: int = 30, cap_fen: int | None = 3000):
    """The community charges temporary parking: `price_fen` an hour after `free_minutes` free,
    at most `cap_fen` a day, published (a bill may use it)."""
    item = billing_money.fee_item(
        community, FeeKind.PARKING_TEMPORARY, name="临时停车费", price=str(price_fen), cycle=Cycle.ONCE
    )
    FeeStandard.objects.filter(fee_item=item).update(
        free_minutes=free_minutes, period_minutes=60, daily_cap_fen=cap_fen
    )
    return item


def next_monday(now: datetime, weeks: int = 1) -> datetime:
    """Local midnight of a Monday at least a few days ahead."""
    day = now.astimezone(TZ).date() + timedelta(days=7 * weeks)
    day -= timedelta(days=day.weekday())
    return datetime.combine(day, time(0), tzinfo=TZ)


def probe_ids(world) -> dict[str, int | str]:
    """Community A's offer and a booking the outsider must not reach."""
    from django.utils import timezone

    garage = office_block(world, spaces=1, name="外人不可见写字楼")
    monday = next_monday(timezone.now())
    booking = services.do_book_shared_space(
        actor=world.owner,
        offer=garage.offer,
        start_at=monday + timedelta(hours=20),
        end_at=monday + timedelta(hours=23),
        plate="京A12345",
    )
    parking_pass = services.do_issue_pass(
        actor=world.staff,
        house=world.house,
        person=world.owner_person,
        plate="京A12345",
        period="monthly",
        valid_from=timezone.localdate(),
        fee_fen=30000,
    )
    return {"offer_id": garage.offer.pk, "shared_booking_id": booking.pk, "pass_id": parking_pass.pk}


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """Offers and bookings are the whole community's: staff narrowed to a building reach none."""
    return probe_ids(world)
