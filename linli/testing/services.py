"""Life services set up for tests: a vetted provider of community A with a login, an offering
with one weekly slot, a venue; and the probe ids of the outsider and narrowed-staff walks."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from linli.registry.models import Organization
from linli.services.models import Provider, ServiceOffering, ServiceSlot, Venue
from linli.services.services import bookings, links, providers, recommend, venues
from linli.testing import factories as f


@dataclass
class Catalogue:
    provider: Provider
    provider_user: object
    offering: ServiceOffering
    slot: ServiceSlot
    venue: Venue


def next_weekday(weekday: int, *, weeks: int = 0) -> date:
    """The next date (after today) falling on `weekday`, `weeks` weeks later still."""
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1 + 7 * weeks)


def catalogue(world, *, capacity: int = 2, community=None, staff=None, name: str = "洁家保洁") -> Catalogue:
    community = community or world.a
    staff = staff or world.staff
    org = Organization.objects.create(community=community, kind="merchant", name=name)
    provider = providers.do_register_provider(actor=staff, community_id=community.pk, organization_id=org.pk)
    providers.do_record_licence(
        actor=staff,
        provider=provider,
        licence_number="JZ-2026-001",
        licence_kind="家政服务许可",
        valid_until=timezone.localdate() + timedelta(days=365),
    )
    provider_user = f.user(f"provider_{community.pk}_{org.pk}", display_name="保洁阿姨")
    providers.do_add_provider_staff(actor=staff, provider=provider, user_id=provider_user.pk)
    offering = providers.do_create_offering(
        actor=staff,
        provider=provider,
        category="home_cleaning",
        title="日常保洁2小时",
        duration_minutes=120,
        price_fen=12000,
    )
    slot = providers.do_add_slot(
        actor=staff, offering=offering, weekday=2, start_time=time(9), capacity=capacity
    )
    venue = venues.do_create_venue(
        actor=staff,
        community_id=community.pk,
        name="活动室",
        kind="activity_room",
        opens_at=time(8),
        closes_at=time(20),
    )
    return Catalogue(provider, provider_user, offering, slot, venue)


def probe_ids(world, resident=None, house=None) -> dict[str, int | str]:
    """A's provider, offering, a booking, a venue and its booking, a health link and a rule; the
    bookings are `resident`'s for `house` (the world's owner's flat unless named)."""
    resident, house = resident or world.owner, house or world.house
    c = catalogue(world)
    on = next_weekday(2)
    booking = bookings.do_book_service(
        actor=resident, offering=c.offering, slot_id=c.slot.pk, on=on, house_id=house.pk
    )
    venue_booking = venues.do_book_venue(
        actor=resident,
        venue=c.venue,
        house_id=house.pk,
        starts_at=timezone.make_aware(datetime.combine(on, time(10))),
    )
    link = links.do_add_health_link(
        actor=world.staff, community_id=world.a.pk, name="社区医院", url="https://example.org/a"
    )
    rule = recommend.do_create_rule(
        actor=world.staff,
        community_id=world.a.pk,
        condition="child_under_6",
        category="childcare",
        reason="因为您家有6岁以下儿童",
    )
    return {
        "provider_id": c.provider.pk,
        "offering_id": c.offering.pk,
        "service_slot_id": c.slot.pk,
        "booking_id": booking.pk,
        "venue_id": c.venue.pk,
        "venue_booking_id": venue_booking.pk,
        "health_link_id": link.pk,
        "recommendation_rule_id": rule.pk,
    }


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """The bookings are 2号楼's (钱二楼's); the rest is the whole community's, which staff
    narrowed to a building do not reach."""
    return probe_ids(world, narrowed.other_user, narrowed.other_house)
