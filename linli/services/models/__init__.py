from linli.services.models.care import (
    HealthLink,
    RecommendationConsent,
    RecommendationDismissal,
    RecommendationRule,
)
from linli.services.models.catalogue import (
    Provider,
    ProviderStaff,
    ServiceBooking,
    ServiceOffering,
    ServiceSlot,
    SlotDay,
)
from linli.services.models.fitness import FitnessConsent, FitnessUse
from linli.services.models.venues import Venue, VenueBooking

__all__ = [
    "FitnessConsent",
    "FitnessUse",
    "HealthLink",
    "Provider",
    "ProviderStaff",
    "RecommendationConsent",
    "RecommendationDismissal",
    "RecommendationRule",
    "ServiceBooking",
    "ServiceOffering",
    "ServiceSlot",
    "SlotDay",
    "Venue",
    "VenueBooking",
]
