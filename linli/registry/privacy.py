"""Personal data: who may see it unmasked (logged) and its export for one person (PIPL).
Erasure, a write, is `linli.registry.services.do_erase_person`."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.context import current_request_id
from linli.core.errors import ServiceError
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import PiiAccess
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.registry.models import Occupancy, Person


def is_self(actor, person: Person) -> bool:
    return person.user_id is not None and person.user_id == getattr(actor, "pk", None)


def may_see_full(actor, person: Person) -> bool:
    return is_self(actor, person) or may(actor, Action.PII_VIEW, person.community_id)


PURPOSE_MAX = 100  # PiiAccess.purpose


def clean_purpose(purpose: str) -> str:
    """The stated reason for reading personal data in full in bulk; required, as for a reveal."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ServiceError(
            "purpose_required",
            _("导出完整信息须说明用途"),
            fields={"purpose": _("请填写用途，例如：公安户籍核查")},
        )
    if len(purpose) > PURPOSE_MAX:
        raise ServiceError(
            "purpose_too_long",
            _("用途最多 %(n)d 个字") % {"n": PURPOSE_MAX},
            fields={"purpose": _("请简要说明")},
        )
    return purpose


def log_pii_reads(actor, people: list[Person], fields: str, purpose: str = "") -> None:
    """Every staff read of unmasked data leaves a row (SEC-1). A person reading their own does not."""
    rows = [
        PiiAccess(
            actor=actor,
            community_id=p.community_id,
            person_id=p.pk,
            fields=fields,
            purpose=purpose,
            request_id=current_request_id(),
        )
        for p in people
        if not is_self(actor, p)
    ]
    if rows:
        PiiAccess.objects.bulk_create(rows)


def person_contact(actor, person: Person, *, reveal: bool, purpose: str = "") -> dict:
    """Phone and ID number as this actor may see them; a reveal is logged."""
    full = reveal and may_see_full(actor, person)
    if full:
        log_pii_reads(actor, [person], "phone,id_number", purpose)
        return {"phone": person.phone, "id_number": person.id_number, "masked": False}
    return {
        "phone": mask_phone(person.phone),
        "id_number": mask_id_number(person.id_number),
        "masked": True,
    }


def export_person_data(actor, person: Person) -> dict:
    """Everything we hold on one person, in full, for a PIPL access request. Logged."""
    if not is_self(actor, person):
        require(actor, Action.PII_VIEW, person.community_id)
    log_pii_reads(actor, [person], "export", "pipl_export")
    occupancies = Occupancy.objects.filter(person=person).select_related("house__building", "house__unit")
    return {
        "person": {
            "name": person.name,
            "gender": person.gender,
            "birth_date": person.birth_date,
            "id_number": person.id_number,
            "phone": person.phone,
            "hukou_local": person.hukou_local,
            "registered_at": person.created_at,
        },
        "occupancies": [
            {
                "house": o.house.label,
                "relation": o.relation,
                "valid_from": o.valid_from,
                "valid_to": o.valid_to,
                "ended_at": o.ended_at,
                "end_reason": o.end_reason,
            }
            for o in occupancies
        ],
        "vehicles": [{"plate": v.plate, "kind": v.kind, "color": v.color} for v in person.vehicles.all()],
        "care_tags": [
            {
                "kind": t.kind,
                "consent_at": t.consent_at,
                "consent_by": t.consent_by,
                "revoked_at": t.revoked_at,
            }
            for t in person.care_tags.all()
        ],
        "exported_at": timezone.now(),
    }
