"""The signed, versioned list of what a terminal must accept when the server is unreachable
(ACC-8). Full when asked with since=0, otherwise a delta over the change log: the people whose
access changed since that version (their full current entry, or their removal) and the passes
revoked or used up. One delta covers any length of absence; a huge one degrades to full.

The snapshot is a compact JWS signed with the community key (typ "linli-snapshot+jwt"); its
payload is described field by field in docs/terminals.md.
"""

import base64
from datetime import datetime, timedelta

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from linli.access import digests, keys, rights
from linli.access.choices import ChangeKind, CredentialKind, GrantSource, Reason
from linli.access.decide.grants import grants_at_point, judge
from linli.access.models import ChangeLog, Credential, Grant, Terminal, VisitorPass
from linli.access.schedule import day_start
from linli.access.services import signing_keys
from linli.core.masking import mask_name
from linli.registry.models import House, Occupancy

FORMAT_VERSION = 1
POLL_SECONDS = 3  # a revocation reaches a polling terminal within POLL_SECONDS + settle
SETTLE = timedelta(seconds=2)  # changes younger than this are re-sent in the next delta too
DELTA_LIMIT = 2000  # beyond this many changed people a full snapshot is smaller
SNAPSHOT_TYP = "linli-snapshot+jwt"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _grant_entry(source, valid_from, valid_until, sched, occ_ok, mem_ok, source_to, now) -> dict | None:
    """A grant as the terminal gets it, judged like the online decision: None for one that
    merely expired; {"ended": reason} for one whose source has ended, so an offline terminal
    refuses with the same reason; a helper's grant also says when its giver's lease ends."""
    reason = judge(source, valid_from, valid_until, None, occ_ok, mem_ok, now)
    if reason in rights.ENDED_REASONS:
        return {"ended": reason}
    if reason == Reason.GRANT_EXPIRED:
        return None
    grant = {"from": _iso(valid_from), "until": _iso(valid_until), "schedule": sched}
    if source == GrantSource.HOUSEHOLD and source_to is not None:
        grant["source_ends_at"] = _iso(day_start(source_to + timedelta(days=1)))
        grant["source_reason"] = rights.ended_reason_of_grant(source)
    return grant


def _entry(entries: dict, person_id: int, name: str) -> dict:
    return entries.setdefault(
        person_id, {"person": person_id, "name": mask_name(name), "grants": [], "cards": [], "pins": []}
    )


def entries_for(terminal: Terminal, person_ids: set[int] | None, now: datetime) -> dict[int, dict]:
    """person id → {name, grants, cards, pins} for everyone who may pass the terminal's point,
    and for ENDED_MEMORY those whose right there ended with its source (grants [{"ended"}])."""
    remembered = now - rights.ENDED_MEMORY
    rows = (
        grants_at_point(terminal.point_id, timezone.localdate(now))
        .filter(community_id=terminal.community_id)
        .exclude(valid_until__lte=remembered)
        .annotate(
            source_to=Subquery(Occupancy.objects.filter(pk=OuterRef("source_id")).values("valid_to")[:1])
        )
    )
    ended = Grant.objects.filter(
        community_id=terminal.community_id,
        zone__points=terminal.point_id,
        revoked_at__gte=remembered,
        revoke_reason__in=list(rights.ENDED_REVOKES),
    )
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
        ended = ended.filter(person_id__in=person_ids)
    entries: dict[int, dict] = {}
    for (
        person_id,
        name,
        source,
        valid_from,
        valid_until,
        sched,
        occ_ok,
        mem_ok,
        source_to,
    ) in rows.values_list(
        "person_id",
        "person__name",
        "source",
        "valid_from",
        "valid_until",
        "schedule",
        "occupancy_ok",
        "membership_ok",
        "source_to",
    ):
        grant = _grant_entry(source, valid_from, valid_until, sched, occ_ok, mem_ok, source_to, now)
        if grant is not None:
            _entry(entries, person_id, name)["grants"].append(grant)
    for person_id, name, source in ended.values_list("person_id", "person__name", "source"):
        _entry(entries, person_id, name)["grants"].append({"ended": rights.ended_reason_of_grant(source)})
    credentials = Credential.objects.filter(
        community_id=terminal.community_id,
        revoked_at__isnull=True,
        kind__in=[CredentialKind.CARD, CredentialKind.PIN],
    )
    if person_ids is not None:
        credentials = credentials.filter(person_id__in=person_ids)
    for person_id, kind, verifier, house_id in credentials.values_list(
        "person_id", "kind", "offline_verifier", "house_id"
    ):
        entry = entries.get(person_id)
        if entry is None:
            continue
        if kind == CredentialKind.CARD:
            entry["cards"].append(verifier)
        else:
            entry["pins"].append({"house": house_id, "verifier": verifier})
    return entries


def _rooms(terminal: Terminal) -> dict[str, int]:
    """Room label → house id, for keypads (房号 + 密码) reachable from this point."""
    point = terminal.point
    houses = House.objects.filter(community_id=terminal.community_id)
    if point.unit_id:
        houses = houses.filter(unit_id=point.unit_id)
    elif point.building_id:
        houses = houses.filter(building_id=point.building_id)
    rows = houses.values_list("pk", "building__name", "unit__name", "number")
    return {f"{b}-{u}-{n}": pk for pk, b, u, n in rows}


def _pass_block_reason(revoked_at, revoke_reason: str, ended: str, uses: int, max_uses: int) -> str:
    """The same order as the online decision: revoked, ended with its source, used up."""
    if revoked_at is not None:
        return revoke_reason or Reason.PASS_REVOKED
    if ended:
        return ended
    return Reason.PASS_USED_UP if uses >= max_uses else ""


def _blocked_passes(community_id: int, pass_ids: set[int] | None, now: datetime) -> list[dict]:
    """Revoked, used-up or source-ended passes that have not expired yet (an expired one
    refuses itself). Whether a pass's host still lives there is computed here, not read from
    a job's output: a delta right after a lease ran out at midnight already carries it."""
    rows = VisitorPass.objects.filter(community_id=community_id, valid_until__gt=now).annotate(
        ended=rights.pass_ended(timezone.localdate(now))
    )
    if pass_ids is not None:
        rows = rows.filter(Q(pk__in=pass_ids) | (Q(revoked_at__isnull=True) & ~Q(ended="")))
    blocked = []
    for jti, until, revoked_at, revoke_reason, ended, uses, max_uses in rows.values_list(
        "jti", "valid_until", "revoked_at", "revoke_reason", "ended", "uses", "max_uses"
    ):
        reason = _pass_block_reason(revoked_at, revoke_reason, ended, uses, max_uses)
        if reason:
            blocked.append({"jti": jti, "exp": int(until.timestamp()), "reason": str(reason)})
    return blocked


def current_version(community_id: int, now: datetime) -> int:
    """The newest change that has surely committed: rows are stamped at insert, and a change
    still in flight is younger than SETTLE, so it will be inside the next delta."""
    settled = ChangeLog.objects.filter(community_id=community_id, at__lte=now - SETTLE).aggregate(m=Max("id"))
    return settled["m"] or 0


def build(terminal: Terminal, since: int, now: datetime) -> dict:
    community_id = terminal.community_id
    version = current_version(community_id, now)
    # A terminal ahead of us means the database was restored from a backup: start over.
    full = since <= 0 or since > version
    people: set[int] | None = None
    pass_ids: set[int] | None = None
    if not full:
        changes = set(
            ChangeLog.objects.filter(community_id=community_id, id__gt=since)
            .values_list("kind", "ref_id")
            .distinct()
        )
        if any(kind in (ChangeKind.LAYOUT, ChangeKind.KEYS) for kind, _ref in changes):
            full = True
        else:
            people = {ref for kind, ref in changes if kind == ChangeKind.PERSON}
            pass_ids = {ref for kind, ref in changes if kind == ChangeKind.PASS}
            full = len(people) > DELTA_LIMIT
    if full:
        people = pass_ids = None
    entries = entries_for(terminal, people, now)
    point = terminal.point
    payload = {
        "format": FORMAT_VERSION,
        "iss": keys.issuer(community_id),
        "community": community_id,
        "terminal": terminal.pk,
        "point": {"id": point.pk, "name": point.name, "kind": point.kind, "direction": point.direction},
        "version": version,
        "since": 0 if full else since,
        "full": full,
        "generated_at": now.isoformat(),
        "poll_seconds": POLL_SECONDS,
        "jwks": keys.jwks(community_id),
        "card_key": _b64(digests.card_key(community_id)),
        "pin_salt": _b64(digests.pin_salt(community_id)),
        "pin_scrypt": digests.PIN_SCRYPT,
        "entries": list(entries.values()),
        "removed": sorted(people - set(entries)) if people is not None else [],
        "blocked_passes": _blocked_passes(community_id, pass_ids, now),
    }
    if full:
        payload["rooms"] = _rooms(terminal)
    return {
        "version": version,
        "full": full,
        "snapshot": signing_keys.sign(community_id, payload, typ=SNAPSHOT_TYP),
    }
