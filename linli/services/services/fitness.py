"""Smart fitness equipment (SVC-2), the writes: a resident's consent to have their own uses
recorded (given, withdrawn — withdrawing erases what was recorded), and a card held to a
machine's reader, which IoT hands over (`register_card_reader`, from ServicesConfig.ready).

A card tells who; nothing about a person is kept unless that person consents at that moment.
Everyone's uses are the machine's own telemetry (`uses`), read through IoT's queries."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import queries as access_queries
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound
from linli.registry.models import Person
from linli.services import queries_fitness
from linli.services.models import FitnessConsent, FitnessUse


def _me_in(actor: Actor, community_id: int) -> Person:
    person = queries_fitness.my_person(actor, community_id)
    if person is None:
        raise NotFound()
    return person


@transaction.atomic
def do_consent_fitness(*, actor: Actor, community_id: int) -> FitnessConsent:
    """Refused: not_found (not a resident there), fitness_already_consented."""
    person = _me_in(actor, community_id)
    try:
        with transaction.atomic():
            consent = FitnessConsent.objects.create(
                community_id=community_id, person=person, given_by=actor, given_at=timezone.now()
            )
    except IntegrityError:
        raise Conflict("fitness_already_consented", _("已开启健身记录")) from None
    audit.record(actor=actor, action="services.fitness_consented", obj=consent, community_id=community_id)
    return consent


@transaction.atomic
def do_withdraw_fitness(*, actor: Actor, community_id: int) -> int:
    """Stops recording and erases the uses recorded so far; how many. Refused: fitness_not_consented."""
    person = _me_in(actor, community_id)
    live = FitnessConsent.objects.filter(person=person, withdrawn_at__isnull=True)
    consent = live.first()
    if consent is None or not live.update(withdrawn_at=timezone.now()):
        raise Conflict("fitness_not_consented", _("未开启健身记录"))
    erased, _counts = FitnessUse.objects.filter(person=person).delete()
    audit.record(
        actor=actor,
        action="services.fitness_withdrawn",
        obj=consent,
        community_id=community_id,
        after={"erased": erased},
    )
    return erased


def record_card_use(device, card: str, at: datetime) -> FitnessUse | None:
    """A card at a fitness machine: a use of the card's holder if they consent, else nothing
    (the machine's own count has it, unnamed)."""
    holder = access_queries.card_holder(device.community_id, card)
    if holder is None:
        return None
    person_id = holder[0]
    if not queries_fitness.consented(person_id):
        return None
    return FitnessUse.objects.create(
        community_id=device.community_id, person_id=person_id, device=device, at=at
    )
