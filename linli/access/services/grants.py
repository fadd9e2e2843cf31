"""Grants (ACC-3): derived from the registry's facts, or given by staff or a household head.

Registry-derived grants (ownership, lease, residence) are materialised so that they can be
listed and shipped to terminals, and kept in step by `consume_registry_changes` (outbox events
and new occupancies; run by the scheduler and before every terminal snapshot). Correctness
never waits for it: every decision re-checks that the grant's occupancy or membership is still
active, and a lease grant's window ends with the lease's last day anyway.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access.choices import ChangeKind, GrantSource
from linli.access.household import own_occupancy
from linli.access.models import Grant, SyncCursor, Zone
from linli.access.schedule import clean_schedule, day_start
from linli.access.services._common import log_change, log_people
from linli.access.services.layout import ensure_all_points_zone, ensure_building_zone
from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.models import Membership, OutboxEvent
from linli.core.permissions import may, require
from linli.core.roles import Action, Role
from linli.registry.choices import Relation
from linli.registry.models import House, Occupancy, Person
from linli.registry.services import do_register_person_for_house
from linli.registry.validators import clean_phone

SOURCE_OF_RELATION: dict[str, str] = {
    Relation.OWNER: GrantSource.OWNERSHIP,
    Relation.CO_OWNER: GrantSource.OWNERSHIP,
    Relation.TENANT: GrantSource.LEASE,
    Relation.FAMILY: GrantSource.RESIDENCE,
}
REGISTRY_SOURCES = tuple(set(SOURCE_OF_RELATION.values()))
# Staff who walk the site get every point; committee members and government viewers do not.
STAFF_ACCESS_ROLES = (
    Role.COMMUNITY_ADMIN,
    Role.PROPERTY_MANAGER,
    Role.FRONT_DESK,
    Role.TECHNICIAN,
    Role.SECURITY,
    Role.GRID_WORKER,
)
REGISTRY_TOPICS = ("registry.occupancy_added", "registry.occupancy_ended")
SYNC_BATCH = 500


def _grant_snapshot(grant: Grant) -> dict:
    return {
        "person": grant.person_id,
        "zone": grant.zone_id,
        "house": grant.house_id,
        "source": grant.source,
        "source_id": grant.source_id,
        "label": grant.label,
        "valid_from": grant.valid_from,
        "valid_until": grant.valid_until,
        "schedule": grant.schedule,
    }


def occupancy_window(occupancy: Occupancy) -> tuple[datetime, datetime | None]:
    """Dates are inclusive local days: a lease to 5月31日 ends at 6月1日 00:00 local time."""
    until = day_start(occupancy.valid_to + timedelta(days=1)) if occupancy.valid_to else None
    return day_start(occupancy.valid_from), until


def _revoke(rows, reason: str, now: datetime) -> int:
    return rows.filter(revoked_at__isnull=True).update(revoked_at=now, revoke_reason=reason, updated_at=now)


# --- registry-derived grants ----------------------------------------------------------------


@dataclass
class SyncResult:
    created: list[int] = field(default_factory=list)
    revoked: list[int] = field(default_factory=list)
    people: set[int] = field(default_factory=set)


@transaction.atomic
def sync_grants_for_house(house_id: int, *, now: datetime | None = None) -> SyncResult:
    """Makes the house's registry-derived grants match its current and future occupancies, and
    revokes household grants whose giver moved out. Idempotent; audited when it changes anything."""
    from linli.access.services.credentials import (  # a cycle: credentials imports grants
        forget_faces_of_people_without_home,
    )

    now = now or timezone.now()
    today = timezone.localdate(now)
    house = House.objects.select_related("building").get(pk=house_id)
    zone = ensure_building_zone(house.building)
    occupancies = Occupancy.objects.filter(house=house, ended_at__isnull=True).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    wanted = {(o.person_id, SOURCE_OF_RELATION[o.relation], o.pk): o for o in occupancies}
    current = Grant.objects.filter(house=house, source__in=REGISTRY_SOURCES, revoked_at__isnull=True)
    have = {(g.person_id, g.source, g.source_id): g for g in current}
    result = SyncResult()
    stale = [g for key, g in have.items() if key not in wanted]
    if stale:
        _revoke(Grant.objects.filter(pk__in=[g.pk for g in stale]), "source_ended", now)
        result.revoked += [g.pk for g in stale]
        result.people |= {g.person_id for g in stale}
    for key, occupancy in wanted.items():
        valid_from, valid_until = occupancy_window(occupancy)
        existing = have.get(key)
        if existing is not None:
            if (existing.valid_from, existing.valid_until) != (valid_from, valid_until):
                Grant.objects.filter(pk=existing.pk).update(
                    valid_from=valid_from, valid_until=valid_until, updated_at=now
                )
                result.people.add(key[0])
            continue
        try:
            with transaction.atomic():
                grant = Grant.objects.create(
                    community_id=house.community_id,
                    person_id=key[0],
                    zone=zone,
                    house=house,
                    source=key[1],
                    source_id=key[2],
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
        except IntegrityError:
            continue  # a concurrent sync created it
        result.created.append(grant.pk)
        result.people.add(key[0])
    active_ids = Occupancy.objects.active(today).filter(house=house).values("pk")
    orphans = Grant.objects.filter(
        house=house, source=GrantSource.HOUSEHOLD, revoked_at__isnull=True
    ).exclude(source_id__in=active_ids)
    orphan_rows = list(orphans.values_list("pk", "person_id"))
    if orphan_rows:
        _revoke(Grant.objects.filter(pk__in=[pk for pk, _p in orphan_rows]), "giver_moved_out", now)
        result.revoked += [pk for pk, _p in orphan_rows]
        result.people |= {p for _pk, p in orphan_rows}
    if result.created or result.revoked or result.people:
        log_people(house.community_id, result.people)
        forget_faces_of_people_without_home(result.people, now=now)
        audit.record(
            actor=None,
            action="sync_grants",
            obj=house,
            community_id=house.community_id,
            after={"created": result.created, "revoked": result.revoked},
        )
    return result


@transaction.atomic
def sync_staff_grants(community_id: int, *, now: datetime | None = None) -> SyncResult:
    """Staff who also exist as a person in the community (to hold a card) get every point for
    as long as their membership lasts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    zone = ensure_all_points_zone(community_id)
    people = dict(
        Person.objects.filter(
            community_id=community_id, user__isnull=False, erased_at__isnull=True
        ).values_list("user_id", "pk")
    )
    memberships = Membership.objects.filter(
        community_id=community_id, role__in=STAFF_ACCESS_ROLES, user_id__in=list(people)
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    wanted = {}
    for m in memberships:
        until = day_start(m.valid_until + timedelta(days=1)) if m.valid_until else None
        wanted[(people[m.user_id], m.pk)] = until
    current = {
        (g.person_id, g.source_id): g
        for g in Grant.objects.filter(
            community_id=community_id, source=GrantSource.STAFF_ROLE, revoked_at__isnull=True
        )
    }
    result = SyncResult()
    stale = [g for key, g in current.items() if key not in wanted]
    if stale:
        _revoke(Grant.objects.filter(pk__in=[g.pk for g in stale]), "role_ended", now)
        result.revoked = [g.pk for g in stale]
        result.people |= {g.person_id for g in stale}
    for (person_id, membership_id), until in wanted.items():
        existing = current.get((person_id, membership_id))
        if existing is not None:
            if existing.valid_until != until:
                Grant.objects.filter(pk=existing.pk).update(valid_until=until, updated_at=now)
                result.people.add(person_id)
            continue
        grant = Grant.objects.create(
            community_id=community_id,
            person_id=person_id,
            zone=zone,
            source=GrantSource.STAFF_ROLE,
            source_id=membership_id,
            valid_from=now,
            valid_until=until,
        )
        result.created.append(grant.pk)
        result.people.add(person_id)
    if result.people:
        log_people(community_id, result.people)
        audit.record(
            actor=None,
            action="sync_staff_grants",
            object_type="core.community",
            object_id=community_id,
            community_id=community_id,
            after={"created": result.created, "revoked": result.revoked},
        )
    return result


def _houses_missing_grants(added: list[tuple[int, int]], now: datetime) -> set[int]:
    """Of newly seen occupancies, the houses of those that are current or future and have no
    grant yet (a bulk sync or an earlier run may have made it already)."""
    today = timezone.localdate(now)
    live = dict(
        Occupancy.objects.filter(pk__in=[pk for pk, _h in added], ended_at__isnull=True)
        .exclude(valid_to__lt=today)
        .values_list("pk", "house_id")
    )
    granted = set(
        Grant.objects.filter(source__in=REGISTRY_SOURCES, source_id__in=list(live)).values_list(
            "source_id", flat=True
        )
    )
    return {house for pk, house in live.items() if pk not in granted}


@transaction.atomic
def bulk_sync_community(community_id: int, *, now: datetime | None = None) -> int:
    """Creates the missing registry-derived grants of a whole community in one statement: for
    installing access control on a populated registry (and the demo). Idempotent. Returns the
    number of grants created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    occupancies = (
        Occupancy.objects.filter(house__community_id=community_id, ended_at__isnull=True)
        .exclude(valid_to__lt=today)
        .exclude(
            pk__in=Grant.objects.filter(source__in=REGISTRY_SOURCES, revoked_at__isnull=True).values(
                "source_id"
            )
        )
        .select_related("house__building")
    )
    zones: dict[int, Zone] = {}
    rows = []
    for occupancy in occupancies:
        building = occupancy.house.building
        if building.pk not in zones:
            zones[building.pk] = ensure_building_zone(building)
        valid_from, valid_until = occupancy_window(occupancy)
        rows.append(
            Grant(
                community_id=community_id,
                person_id=occupancy.person_id,
                zone=zones[building.pk],
                house_id=occupancy.house_id,
                source=SOURCE_OF_RELATION[occupancy.relation],
                source_id=occupancy.pk,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )
    Grant.objects.bulk_create(rows, batch_size=2000)
    if rows:
        log_change(community_id, ChangeKind.LAYOUT, [None])  # terminals re-sync in full
        audit.record(
            actor=None,
            action="bulk_sync_grants",
            object_type="core.community",
            object_id=community_id,
            community_id=community_id,
            after={"created": len(rows)},
        )
    return len(rows)


def _staff_grants_without_role(now: datetime) -> set[int]:
    """Communities with a live staff grant whose membership was deleted or ran out: neither
    moves Membership.updated_at forward. Staff grants are few, so this stays a small read."""
    today = timezone.localdate(now)
    valid = Membership.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).values("pk")
    return set(
        Grant.objects.filter(source=GrantSource.STAFF_ROLE, revoked_at__isnull=True)
        .exclude(source_id__in=valid)
        .values_list("community_id", flat=True)
    )


def consume_registry_changes(*, now: datetime | None = None) -> int:
    """Reads what the registry did since last time and syncs the houses and communities it
    touched. Returns how many houses were synced. Safe to run from several processes: syncing is
    idempotent and the cursor only moves forward."""
    now = now or timezone.now()
    cursor, _created = SyncCursor.objects.get_or_create(name="registry")
    newest_event = OutboxEvent.objects.aggregate(m=Max("id"))["m"] or 0
    newest_occupancy = Occupancy.objects.aggregate(m=Max("id"))["m"] or 0
    membership_change = Membership.objects.aggregate(m=Max("updated_at"))["m"]
    houses: set[int] = set()
    event_upto = newest_event
    if newest_event > cursor.last_outbox_id:
        events = list(
            OutboxEvent.objects.filter(
                id__gt=cursor.last_outbox_id, id__lte=newest_event, topic__in=REGISTRY_TOPICS
            )
            .order_by("id")
            .values_list("id", "payload")[:SYNC_BATCH]
        )
        if len(events) == SYNC_BATCH:
            event_upto = events[-1][0]
        houses |= {payload.get("house") for _id, payload in events if payload.get("house")}
    occupancy_upto = newest_occupancy
    if newest_occupancy > cursor.last_occupancy_id:
        added = list(
            Occupancy.objects.filter(id__gt=cursor.last_occupancy_id, id__lte=newest_occupancy)
            .order_by("id")
            .values_list("id", "house_id")[:SYNC_BATCH]
        )
        if len(added) == SYNC_BATCH:
            occupancy_upto = added[-1][0]
        houses |= _houses_missing_grants(added, now)
    for house_id in sorted(houses):
        if House.objects.filter(pk=house_id).exists():
            sync_grants_for_house(house_id, now=now)
    staff_changed = membership_change is not None and (
        cursor.memberships_seen_at is None or membership_change > cursor.memberships_seen_at
    )
    communities = _staff_grants_without_role(now)  # a deleted or lapsed membership leaves no trace
    if staff_changed:
        since = cursor.memberships_seen_at
        changed = (
            Membership.objects.all() if since is None else Membership.objects.filter(updated_at__gt=since)
        )
        communities |= set(changed.values_list("community_id", flat=True))
    for community_id in sorted(communities):
        sync_staff_grants(community_id, now=now)
    if houses or staff_changed or event_upto > cursor.last_outbox_id:
        SyncCursor.objects.filter(name="registry", last_outbox_id__lte=event_upto).update(
            last_outbox_id=event_upto,
            last_occupancy_id=max(occupancy_upto, cursor.last_occupancy_id),
            memberships_seen_at=membership_change if staff_changed else cursor.memberships_seen_at,
        )
    return len(houses)


# --- grants people give -----------------------------------------------------------------------


def _clean_window(valid_from: datetime | None, valid_until: datetime | None, now: datetime):
    valid_from = valid_from or now
    if valid_until is not None and valid_until <= valid_from:
        raise ServiceError(
            "window_ends_before_start",
            _("结束时间应晚于开始时间"),
            fields={"valid_until": _("应晚于开始时间")},
        )
    return valid_from, valid_until


@transaction.atomic
def do_grant_access(
    *,
    actor: User,
    person: Person,
    zone: Zone,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    schedule=None,
    label: str = "",
) -> Grant:
    """Staff grant (e.g. a contractor for the garage for a week)."""
    require(actor, Action.ACCESS_CHANGE, zone.community_id, zone.building_id)
    if person.community_id != zone.community_id:
        raise ServiceError("cross_community", _("人员与分区不属于同一社区"))
    valid_from, valid_until = _clean_window(valid_from, valid_until, timezone.now())
    grant = Grant.objects.create(
        community_id=zone.community_id,
        person=person,
        zone=zone,
        source=GrantSource.MANUAL,
        label=label[:40],
        valid_from=valid_from,
        valid_until=valid_until,
        schedule=clean_schedule(schedule),
        granted_by=actor,
    )
    log_people(zone.community_id, [person.pk])
    audit.record(
        actor=actor, action="create", obj=grant, community_id=zone.community_id, after=_grant_snapshot(grant)
    )
    return grant


@transaction.atomic
def do_grant_household_access(
    *,
    actor: User,
    house: House,
    person: Person,
    label: str,
    schedule=None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Grant:
    """A household head lets someone in, e.g. a nanny (保姆) on weekdays 08:00–18:00. The grant
    hangs on the head's own occupancy: it cannot outlive their lease, and ends if they move out."""
    head = own_occupancy(actor, house.pk, heads_only=True)
    if head is None:
        raise Forbidden(_("只有业主或租客本人可以为家里添加通行授权"))
    if person.community_id != house.community_id:
        raise ServiceError("cross_community", _("人员与房屋不属于同一社区"))
    now = timezone.now()
    valid_from, valid_until = _clean_window(valid_from, valid_until, now)
    _start, head_until = occupancy_window(head)
    if head_until is not None and (valid_until is None or valid_until > head_until):
        valid_until = head_until
    if valid_until is not None and valid_until <= valid_from:
        raise ServiceError("window_ends_before_start", _("结束时间应晚于开始时间"))
    grant = Grant.objects.create(
        community_id=house.community_id,
        person=person,
        zone=ensure_building_zone(house.building),
        house=house,
        source=GrantSource.HOUSEHOLD,
        source_id=head.pk,
        label=(label or "").strip()[:40],
        valid_from=valid_from,
        valid_until=valid_until,
        schedule=clean_schedule(schedule),
        granted_by=actor,
    )
    log_people(house.community_id, [person.pk])
    audit.record(
        actor=actor, action="create", obj=grant, community_id=house.community_id, after=_grant_snapshot(grant)
    )
    return grant


@transaction.atomic
def do_add_household_helper(
    *,
    actor: User,
    house: House,
    name: str,
    phone: str,
    label: str,
    schedule=None,
    valid_until: datetime | None = None,
    id_number: str = "",
) -> Grant:
    """Registers a helper (保姆, 钟点工, 护工) in the registry if new, and grants them the house's
    building on a schedule, in one step from the resident's phone."""
    if own_occupancy(actor, house.pk, heads_only=True) is None:
        raise Forbidden(_("只有业主或租客本人可以为家里添加通行授权"))
    person = do_register_person_for_house(
        actor=actor, house=house, name=name, phone=clean_phone(phone), id_number=id_number
    )
    return do_grant_household_access(
        actor=actor, house=house, person=person, label=label, schedule=schedule, valid_until=valid_until
    )


def may_revoke(actor: User, grant: Grant) -> bool:
    if may(actor, Action.ACCESS_CHANGE, grant.community_id):
        return True
    return (
        grant.source == GrantSource.HOUSEHOLD
        and grant.house_id is not None
        and own_occupancy(actor, grant.house_id, heads_only=True) is not None
    )


@transaction.atomic
def do_revoke_grant(*, actor: User, grant: Grant, reason: str = "revoked") -> Grant:
    if grant.source in REGISTRY_SOURCES or grant.source == GrantSource.STAFF_ROLE:
        raise Conflict("derived_grant", _("该授权来自房屋或岗位登记，请在住户登记中结束居住关系或岗位"))
    if not may_revoke(actor, grant):
        raise Forbidden()
    now = timezone.now()
    if not _revoke(Grant.objects.filter(pk=grant.pk), reason[:40], now):
        raise Conflict("already_revoked", _("该授权已撤销"))
    grant.refresh_from_db()
    log_people(grant.community_id, [grant.person_id])
    audit.record(
        actor=actor, action="revoke", obj=grant, community_id=grant.community_id, after={"reason": reason}
    )
    return grant
