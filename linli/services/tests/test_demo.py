"""The demo's part: vetted providers with offerings, two venues, a booking of each, health
links, rules and one opted-in household; a second run leaves the community as it is."""

import pytest

from linli.services import queries
from linli.services.demo import seed_services_demo
from linli.services.models import HealthLink, Provider, RecommendationConsent, ServiceBooking, VenueBooking


@pytest.mark.django_db
def test_the_demo_part(world):
    summary = seed_services_demo(world.a)
    assert summary == {"providers": 2, "offerings": 4, "venues": 2, "bookings": 2}
    assert all(p.is_vetted() for p in Provider.objects.filter(community=world.a))
    assert ServiceBooking.objects.filter(community=world.a).count() == 1
    assert VenueBooking.objects.filter(community=world.a).count() == 1
    assert HealthLink.objects.filter(community=world.a).count() == 2
    assert RecommendationConsent.objects.filter(community=world.a, withdrawn_at__isnull=True).count() == 1
    assert len(queries.resident_offerings(world.owner)) == 4
    assert seed_services_demo(world.a) == {"skipped": True}
