"""Fitness reads (SVC-2): the machines' own counts of use (IoT telemetry, nobody named) for the
console and the residents, and a consenting resident's own uses."""

from datetime import date, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from linli.core.restrict import scope_of
from linli.iot import queries as iot_queries
from linli.registry.models import Person
from linli.services.models import FitnessConsent, FitnessUse

DAYS = 30


def _days(until: datetime) -> list[date]:
    today = timezone.localtime(until).date()
    return [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]


def machines(community_id: int, until: datetime | None = None) -> list[dict]:
    """Each fitness machine with its uses per day over the last 30 days (oldest first) and in
    all; for staff holding services.view and for the community's residents alike."""
    until = until or timezone.now()
    devices = list(iot_queries.fitness_machines(community_id).order_by("id"))
    since = timezone.make_aware(datetime.combine(_days(until)[0], datetime.min.time()))
    totals = iot_queries.daily_totals([d.pk for d in devices], "uses", since, until)
    out = []
    for device in devices:
        per_day = [(day, int(totals.get((device.pk, day), 0))) for day in _days(until)]
        state = getattr(device, "state", None)
        out.append(
            {
                "device": device,
                "online": bool(state and state.online),
                "days": per_day,
                "total": sum(n for _day, n in per_day),
            }
        )
    return out


def _mine(user):
    """The user's own person in each community they live in today (one who moved out has none)."""
    scope = scope_of(user)
    return Person.objects.filter(
        pk__in=scope.person_ids, community_id__in=scope.resident_community_ids, erased_at__isnull=True
    )


def my_people(user) -> list[Person]:
    return list(_mine(user).select_related("community"))


def my_person(user, community_id: int) -> Person | None:
    return _mine(user).filter(community_id=community_id).first()


def consented(person_id: int) -> bool:
    return FitnessConsent.objects.filter(person_id=person_id, withdrawn_at__isnull=True).exists()


def my_uses(person_id: int, until: datetime | None = None) -> list[tuple[date, int]]:
    """A consenting person's uses per day over the last 30 days (oldest first)."""
    until = until or timezone.now()
    days = _days(until)
    since = timezone.make_aware(datetime.combine(days[0], datetime.min.time()))
    counted = dict(
        FitnessUse.objects.filter(person_id=person_id, at__gte=since, at__lt=until)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [(day, counted.get(day, 0)) for day in days]
