"""Credentials (ACC-2, ACC-10): IC cards, PINs (房号 + 6 digits) and faces.

Apps, QR codes and intercom approval need no stored credential: the app is a signed-in user,
the QR a short-lived token signed by the community key, the intercom a household member's tap.
A face is only ever an encrypted embedding, with recorded consent, deleted when the person
withdraws consent or no longer lives in the community; card and PIN always remain available.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import digests
from linli.access.choices import CredentialKind, GrantSource
from linli.access.household import HEAD_RELATIONS
from linli.access.models import Credential, FaceConsent, Grant
from linli.access.services._common import log_people
from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.permissions import may
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry.choices import OWNING, Relation
from linli.registry.models import House, Occupancy, Person


def _houses_of(person: Person) -> set[int]:
    lived = Occupancy.objects.active().filter(person=person).values_list("house_id", flat=True)
    helped = Grant.objects.filter(
        person=person, source=GrantSource.HOUSEHOLD, revoked_at__isnull=True
    ).values_list("house_id", flat=True)
    return set(lived) | set(helped)


def _heads_for(actor: User, person: Person) -> bool:
    """An owner acts for the tenants, family and helpers of their house; a tenant for the
    family they brought in and the helpers they let in. Never upwards (a tenant for the owner)."""
    scope = scope_of(actor)
    heads = Occupancy.objects.active().filter(person_id__in=scope.person_ids, relation__in=HEAD_RELATIONS)
    for head in heads:
        helper = Grant.objects.filter(
            person=person, house_id=head.house_id, source=GrantSource.HOUSEHOLD, revoked_at__isnull=True
        )
        below = Occupancy.objects.active().filter(house_id=head.house_id, person=person)
        if head.relation in OWNING:
            below = below.filter(relation__in=[Relation.TENANT, Relation.FAMILY])
        else:
            below = below.filter(relation=Relation.FAMILY, sponsor_id=head.pk)
            helper = helper.filter(source_id=head.pk)
        if below.exists() or helper.exists():
            return True
    return False


def may_act_for(actor: User, person: Person) -> bool:
    """The person themself, staff with access.change, or a household head for the people of
    their household below them — e.g. a daughter who owns the flat sets up her father's PIN."""
    if person.user_id is not None and person.user_id == getattr(actor, "pk", None):
        return True
    if may(actor, Action.ACCESS_CHANGE, person.community_id):
        return True
    return _heads_for(actor, person)


def _require_act_for(actor: User, person: Person) -> None:
    if person.erased_at is not None or not may_act_for(actor, person):
        raise Forbidden()


@transaction.atomic
def do_issue_card(*, actor: User, person: Person, number: str, label: str = "") -> Credential:
    """Cards are enrolled at the counter (staff), the card in hand."""
    if not may(actor, Action.ACCESS_CHANGE, person.community_id):
        raise Forbidden()
    number = digests.clean_card(number)
    digest = digests.card_digest(person.community_id, number)
    try:
        with transaction.atomic():
            credential = Credential.objects.create(
                community_id=person.community_id,
                person=person,
                kind=CredentialKind.CARD,
                lookup=digest,
                offline_verifier=digest,
                label=label or f"尾号{number[-4:]}",
                issued_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            "duplicate_card", _("该卡已登记给其他人"), fields={"card": _("请先注销原卡")}
        ) from None
    log_people(person.community_id, [person.pk])
    audit.record(
        actor=actor,
        action="issue",
        obj=credential,
        community_id=person.community_id,
        after={"person": person.pk, "kind": "card", "label": credential.label},
    )
    return credential


@transaction.atomic
def do_issue_pin(*, actor: User, person: Person, house: House) -> tuple[Credential, str]:
    """A new random 6-digit PIN for 房号 + 密码 at this house's doors, shown once. Replaces the
    person's previous PIN for the house. Random, never chosen: a chosen PIN that clashed would
    tell someone another resident's PIN."""
    _require_act_for(actor, person)
    if house.pk not in _houses_of(person):
        raise ServiceError("not_in_household", _("该人员不是这户的住户或授权人员"))
    now = timezone.now()
    Credential.objects.filter(
        person=person, kind=CredentialKind.PIN, house=house, revoked_at__isnull=True
    ).update(revoked_at=now, updated_at=now)
    salt = digests.pin_salt(house.community_id)
    for _attempt in range(5):
        pin = digests.new_pin()
        try:
            with transaction.atomic():
                credential = Credential.objects.create(
                    community_id=house.community_id,
                    person=person,
                    kind=CredentialKind.PIN,
                    house=house,
                    lookup=digests.pin_lookup(house.community_id, house.pk, pin),
                    offline_verifier=digests.pin_verifier(salt, house.pk, pin),
                    label=str(house),
                    issued_by=actor,
                )
            break
        except IntegrityError:
            continue  # another member of the house drew the same six digits
    else:
        raise Conflict("pin_exhausted", _("暂时无法生成密码，请重试"))
    log_people(house.community_id, [person.pk])
    audit.record(
        actor=actor,
        action="issue",
        obj=credential,
        community_id=house.community_id,
        after={"person": person.pk, "kind": "pin", "house": house.pk},
    )
    return credential, pin


@transaction.atomic
def do_revoke_credential(*, actor: User, credential: Credential) -> Credential:
    _require_act_for(actor, credential.person)
    if credential.kind == CredentialKind.FACE:
        do_delete_face(actor=actor, person=credential.person)
        return credential
    now = timezone.now()
    if not Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    ):
        raise Conflict("already_revoked", _("该凭证已注销"))
    credential.refresh_from_db()
    log_people(credential.community_id, [credential.person_id])
    audit.record(actor=actor, action="revoke", obj=credential, community_id=credential.community_id)
    return credential


# --- faces ---------------------------------------------------------------------------------


@transaction.atomic
def do_enrol_face(
    *,
    actor: User,
    person: Person,
    embedding_b64: str,
    consent_by: str,
    consent_method: str,
) -> Credential:
    """Stores the embedding (already computed from a photo held in memory only, see
    linli.access.faces) with an explicit consent record; replaces an earlier face."""
    _require_act_for(actor, person)
    if not (consent_by or "").strip() or not (consent_method or "").strip():
        raise ServiceError(
            "consent_required",
            _("录入人脸需要本人或监护人明确同意"),
            fields={"consent_by": _("必填"), "consent_method": _("必填")},
        )
    now = timezone.now()
    Credential.objects.filter(person=person, kind=CredentialKind.FACE).delete()
    FaceConsent.objects.filter(person=person, withdrawn_at__isnull=True).update(withdrawn_at=now)
    FaceConsent.objects.create(
        community_id=person.community_id,
        person=person,
        consented_at=now,
        consent_by=consent_by.strip()[:60],
        method=consent_method.strip()[:30],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    credential = Credential.objects.create(
        community_id=person.community_id,
        person=person,
        kind=CredentialKind.FACE,
        embedding=embedding_b64,
        label="人脸",
        issued_by=actor,
    )
    log_people(person.community_id, [person.pk])
    audit.record(
        actor=actor,
        action="enrol_face",
        obj=credential,
        community_id=person.community_id,
        after={
            "person": person.pk,
            "consent_by": consent_by.strip(),
            "consent_method": consent_method.strip(),
        },
    )
    return credential


def _delete_faces(person_ids, now: datetime) -> int:
    deleted, _detail = Credential.objects.filter(person_id__in=person_ids, kind=CredentialKind.FACE).delete()
    FaceConsent.objects.filter(person_id__in=person_ids, withdrawn_at__isnull=True).update(withdrawn_at=now)
    return deleted


@transaction.atomic
def do_delete_face(*, actor: User, person: Person) -> None:
    """Withdraws consent: the embedding is deleted, not kept revoked."""
    _require_act_for(actor, person)
    if not _delete_faces([person.pk], timezone.now()):
        raise Conflict("no_face", _("该人员没有录入人脸"))
    log_people(person.community_id, [person.pk])
    audit.record(
        actor=actor,
        action="delete_face",
        object_type="registry.person",
        object_id=person.pk,
        community_id=person.community_id,
    )


def forget_faces_of_people_without_home(person_ids, *, now: datetime) -> None:
    """ACC-10: a face is deleted at move-out. Called by the grant sync inside its transaction:
    people among `person_ids` with neither a current or future occupancy nor any other live
    grant (a nanny working for another family) lose their embedding."""
    if not person_ids:
        return
    today = timezone.localdate(now)
    housed = set(
        Occupancy.objects.filter(person_id__in=person_ids, ended_at__isnull=True)
        .exclude(valid_to__lt=today)
        .values_list("person_id", flat=True)
    )
    granted = set(
        Grant.objects.filter(person_id__in=person_ids, revoked_at__isnull=True)
        .exclude(valid_until__lte=now)
        .values_list("person_id", flat=True)
    )
    homeless = [p for p in person_ids if p not in housed and p not in granted]
    with_face = list(
        Credential.objects.filter(person_id__in=homeless, kind=CredentialKind.FACE).values_list(
            "person_id", "community_id"
        )
    )
    if with_face:
        _delete_faces([p for p, _c in with_face], now)
        for person_id, community_id in with_face:
            audit.record(
                actor=None,
                action="delete_face",
                object_type="registry.person",
                object_id=person_id,
                community_id=community_id,
                after={"reason": "moved_out"},
            )
