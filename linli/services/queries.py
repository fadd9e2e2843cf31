"""Every read of life services that reaches a user: staff's on `restrict(user, action)`, a
resident's on `own(user)` (their households), a provider's login on its provider's links.
`recommendations` computes a household's suggestions, for opted-in households only."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.services.choices import Category, VenueBookingStatus
from linli.services.household import age_on, matches
from linli.services.models import (
    HealthLink,
    Provider,
    ProviderStaff,
    RecommendationConsent,
    RecommendationDismissal,
    RecommendationRule,
    ServiceBooking,
    ServiceOffering,
    ServiceSlot,
    Venue,
    VenueBooking,
)

_BOOKING_JOINS = ("offering", "offering__provider__organization", "house__building", "house__unit")


# --- staff ---------------------------------------------------------------------------------------


def providers(user, community_id: int):
    return (
        Provider.objects.restrict(user, Action.SERVICES_VIEW)
        .filter(community_id=community_id)
        .select_related("organization")
    )


def offerings(user):
    return ServiceOffering.objects.restrict(user, Action.SERVICES_VIEW).select_related(
        "provider__organization"
    )


def slots(user):
    """The slots of the offerings staff see (retired ones too)."""
    return ServiceSlot.objects.filter(offering__in=offerings(user)).select_related("offering")


def open_slots() -> Prefetch:
    """An offering's slots that take bookings, in place of `slots` (prefetch_related)."""
    return Prefetch("slots", queryset=ServiceSlot.objects.filter(active=True))


def provider_logins(user, community_id: int):
    """The logins of the community's providers, with their users (show them masked)."""
    return (
        ProviderStaff.objects.filter(provider__in=providers(user, community_id))
        .select_related("user")
        .order_by("provider_id", "id")
    )


def bookings(user):
    return ServiceBooking.objects.restrict(user, Action.SERVICES_VIEW).select_related(*_BOOKING_JOINS)


def venues(user):
    return Venue.objects.restrict(user, Action.SERVICES_VIEW)


def venue_bookings(user):
    return VenueBooking.objects.restrict(user, Action.SERVICES_VIEW).select_related(
        "venue", "house__building", "house__unit"
    )


def health_links(user):
    return HealthLink.objects.restrict(user, Action.SERVICES_VIEW)


def rules(user):
    return RecommendationRule.objects.restrict(user, Action.SERVICES_VIEW)


# --- the provider's logins -------------------------------------------------------------------------


def provider_bookings(user):
    """The bookings of the providers the user is staff of: never another provider's."""
    mine = ProviderStaff.objects.filter(user_id=user.pk).values("provider_id")
    return ServiceBooking.objects.filter(offering__provider_id__in=mine).select_related(*_BOOKING_JOINS)


def handled_booking(user, booking_id: int) -> ServiceBooking | None:
    """A booking the user may confirm or complete: their provider's, or in staff's scope."""
    return (
        provider_bookings(user).filter(pk=booking_id).first()
        or ServiceBooking.objects.restrict(user, Action.SERVICES_MANAGE).filter(pk=booking_id).first()
    )


# --- the resident ----------------------------------------------------------------------------------


def resident_offerings(user):
    """Of the user's communities, active, from providers whose licence is on record and valid."""
    today = timezone.localdate()
    return (
        ServiceOffering.objects.own(user)
        .filter(active=True, provider__vetted_at__isnull=False, provider__licence_valid_until__gte=today)
        .exclude(provider__licence_number="")
        .select_related("provider__organization")
        .prefetch_related(open_slots())
    )


def my_bookings(user):
    return ServiceBooking.objects.own(user).select_related(*_BOOKING_JOINS)


def resident_venues(user):
    return Venue.objects.own(user).filter(active=True)


def my_venue_bookings(user):
    return VenueBooking.objects.own(user).select_related("venue", "house__building", "house__unit")


def taken_times(venue: Venue, start, end) -> list[tuple]:
    """When a venue is booked between two moments (no household named): what a resident sees."""
    return list(
        VenueBooking.objects.filter(
            venue=venue, status=VenueBookingStatus.BOOKED, starts_at__lt=end, ends_at__gt=start
        ).values_list("starts_at", "ends_at")
    )


def resident_health_links(user):
    return HealthLink.objects.own(user)


# --- recommendations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    rule_id: int
    category: str
    category_label: str
    reason: str
    offering_ids: list[int]


def consent_of(house_id: int) -> RecommendationConsent | None:
    return RecommendationConsent.objects.filter(house_id=house_id, withdrawn_at__isnull=True).first()


def recommendations(user, house_id: int) -> list[Recommendation]:
    """For one of the user's homes, only if the household opted in and has not withdrawn:
    each active rule whose condition the household's make-up meets (ages from the registry's
    birth dates; never care tags), less the rules it dismissed, with the offerings of that
    category a resident may book."""
    if not registry_queries.lives_in(user, house_id) or consent_of(house_id) is None:
        return []
    house = registry_queries.households([house_id])[0]
    today = timezone.localdate()
    ages = [
        age_on(o.person.birth_date, today) if o.person.birth_date else None
        for o in house.household  # type: ignore[attr-defined]  # set by registry's households()
        if o.lives_here
    ]
    dismissed = RecommendationDismissal.objects.filter(house_id=house_id).values("rule_id")
    found = []
    for rule in RecommendationRule.objects.filter(community_id=house.community_id, active=True).exclude(
        pk__in=dismissed
    ):
        if matches(rule.condition, ages):
            offering_ids = list(
                resident_offerings(user)
                .filter(community_id=house.community_id, category=rule.category)
                .values_list("pk", flat=True)
            )
            label = str(Category(rule.category).label)
            found.append(Recommendation(rule.pk, rule.category, label, rule.reason, offering_ids))
    return found


def lives_in(user, house_id: int) -> bool:
    return registry_queries.lives_in(user, house_id)


def is_resident_of(user, community_id: int) -> bool:
    return community_id in scope_of(user).resident_community_ids


def staff_may_book_for(user, community_id: int) -> bool:
    return scope_of(user).covers_community(Action.SERVICES_BOOK_FOR, community_id)
