"""Reads only the screens need, all through restrict() like every other read (convention 3)."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from linli.core.models import AuditEntry, PiiAccess
from linli.core.roles import Action
from linli.registry import queries as registry
from linli.registry.choices import OrgKind
from linli.registry.models import CareTag, Occupancy, Organization, Vehicle


def property_contact(user) -> str:
    """The property company's public line in the user's community, for the 联系物业 button."""
    if not user.is_authenticated:
        return ""
    org = (
        Organization.objects.restrict(user, Action.PROPERTY_VIEW)
        .filter(kind=OrgKind.PROPERTY_COMPANY)
        .exclude(contact_phone="")
        .order_by("id")
        .first()
    )
    return org.contact_phone if org else ""


def _active_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})
    )


def houses_with_headcount(user, unit_id: int):
    """A unit's houses with how many people live there today, in one query."""
    return (
        registry.houses(user)
        .filter(unit_id=unit_id)
        .annotate(headcount=Count("occupancies", filter=_active_q("occupancies__"), distinct=True))
    )


def building_summaries(user, community_id: int) -> list:
    """Buildings with their unit and house counts: three grouped queries, no units × houses join."""
    buildings = list(registry.buildings(user, community_id))
    ids = [b.id for b in buildings]
    units = dict(
        registry.units_any(user)
        .filter(building_id__in=ids)
        .values_list("building_id")
        .annotate(n=Count("id"))
    )
    houses = dict(
        registry.houses(user).filter(building_id__in=ids).values_list("building_id").annotate(n=Count("id"))
    )
    for b in buildings:
        b.unit_count, b.house_count = units.get(b.id, 0), houses.get(b.id, 0)
    return buildings


def units_with_counts(user, building_id: int) -> list:
    return list(registry.units(user, building_id).annotate(house_count=Count("houses")))


def person_houses(user, person_id: int) -> list[Occupancy]:
    """A person's current relations to houses the viewer may see."""
    return list(
        Occupancy.objects.restrict(user, Action.PEOPLE_VIEW)
        .active()
        .filter(person_id=person_id)
        .select_related("house__building", "house__unit")
    )


def with_current_houses(user, people):
    """People with `current` = their active occupancies the viewer may see (one extra query)."""
    visible = (
        Occupancy.objects.restrict(user, Action.PEOPLE_VIEW)
        .active()
        .select_related("house__building", "house__unit")
        .order_by("id")
    )
    return people.prefetch_related(Prefetch("occupancies", queryset=visible, to_attr="current"))


def community_vehicles(user, community_id: int):
    return (
        Vehicle.objects.restrict(user, Action.PEOPLE_VIEW)
        .filter(community_id=community_id)
        .select_related("person", "house__building", "house__unit")
    )


def person_vehicles(user, person_id: int) -> list[Vehicle]:
    return list(
        Vehicle.objects.restrict(user, Action.PEOPLE_VIEW)
        .filter(person_id=person_id)
        .select_related("house__building", "house__unit")
    )


def care_tags(user, community_id: int):
    return (
        CareTag.objects.restrict(user, Action.CARE_VIEW)
        .filter(community_id=community_id, revoked_at__isnull=True)
        .select_related("person", "emergency_contact")
    )


def houses_by_number(user, community_id: int, number: str):
    return registry.houses(user).filter(community_id=community_id, number=number.strip())[:20]


def audit_entries(user, community_id: int):
    return AuditEntry.objects.restrict(user, Action.AUDIT_VIEW).filter(community_id=community_id)


def object_history(user, community_id: int, objects: dict[str, list]) -> list[AuditEntry]:
    """Every audit entry about these objects ({"registry.house": [id], ...}), newest first."""
    match = Q(pk__in=[])
    for object_type, ids in objects.items():
        match |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return list(audit_entries(user, community_id).filter(match).order_by("-id")[:100])


def pii_reads(user, community_id: int):
    return (
        PiiAccess.objects.restrict(user, Action.AUDIT_VIEW)
        .filter(community_id=community_id)
        .select_related("actor")
    )


def names_of_people(user, person_ids: set[int]) -> dict[int, str]:
    return dict(registry.people(user).filter(pk__in=person_ids).values_list("id", "name"))
