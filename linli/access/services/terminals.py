"""What terminals do besides deciding: sync their snapshot, upload the events they buffered
while offline, and pick up one-shot open commands (app, intercom, guard)."""

import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access.choices import Method, SecurityKind
from linli.access.decide import snapshot
from linli.access.models import AccessEvent, OpenCommand, Terminal, VisitorPass
from linli.access.services.decisions import raise_security
from linli.access.services.grants import consume_registry_changes
from linli.core.errors import ServiceError
from linli.registry.models import Person

MAX_UPLOAD = 1000
MAX_FUTURE = timedelta(minutes=5)


def do_sync_terminal(*, terminal: Terminal, since: int, now: datetime | None = None) -> dict:
    """Brings registry-derived grants up to date first, so a lease ended a second ago is already
    out of this snapshot even if the scheduler has not run."""
    now = now or timezone.now()
    consume_registry_changes(now=now)
    result = snapshot.build(terminal, since, now)
    Terminal.objects.filter(pk=terminal.pk).update(last_version=result["version"], last_seen_at=now)
    return result


@dataclass
class UploadedEvent:
    id: uuidlib.UUID
    at: datetime
    method: str
    allowed: bool
    reason: str
    person: int | None = None
    pass_jti: str | None = None


@transaction.atomic
def do_upload_events(*, terminal: Terminal, events: list[UploadedEvent], now: datetime | None = None) -> dict:
    """Idempotent: the terminal's own event ids are unique, so a replayed batch adds nothing.
    Offline pass uses are added to the pass's count (they happened, even past max_uses)."""
    now = now or timezone.now()
    if len(events) > MAX_UPLOAD:
        raise ServiceError("too_many_events", _("每次最多上传1000条记录"), fields={"events": str(MAX_UPLOAD)})
    for item in events:
        if item.method not in Method.values:
            raise ServiceError("invalid_method", _("不支持的开门方式"), fields={"method": item.method})
        if item.at > now + MAX_FUTURE:
            raise ServiceError(
                "event_in_future", _("记录时间晚于服务器时间，请校时"), fields={"at": item.at.isoformat()}
            )
    # Uploads of one terminal queue behind each other (PostgreSQL; SQLite serialises anyway),
    # so "already known" below cannot race with a concurrent replay of the same batch.
    Terminal.objects.select_for_update().filter(pk=terminal.pk).first()
    ids = {item.id for item in events}
    known = set(AccessEvent.objects.filter(uuid__in=ids).values_list("uuid", flat=True))
    fresh = {item.id: item for item in events if item.id not in known}.values()
    community_id = terminal.community_id
    people = set(
        Person.objects.filter(
            community_id=community_id, pk__in={i.person for i in fresh if i.person}
        ).values_list("pk", flat=True)
    )
    passes = dict(
        VisitorPass.objects.filter(
            community_id=community_id, jti__in={i.pass_jti for i in fresh if i.pass_jti}
        ).values_list("jti", "pk")
    )
    point = terminal.point
    rows = [
        AccessEvent(
            community_id=community_id,
            point_id=point.pk,
            terminal=terminal,
            person_id=item.person if item.person in people else None,
            visitor_pass_id=passes.get(item.pass_jti) if item.pass_jti else None,
            at=item.at,
            method=item.method,
            allowed=item.allowed,
            reason=item.reason[:30],
            direction=point.direction,
            uuid=item.id,
            offline=True,
        )
        for item in fresh
    ]
    AccessEvent.objects.bulk_create(rows)
    uses: dict[int, int] = {}
    for item in fresh:
        if item.allowed and item.pass_jti in passes:
            uses[passes[item.pass_jti]] = uses.get(passes[item.pass_jti], 0) + 1
    for pass_id, count in uses.items():
        VisitorPass.objects.filter(pk=pass_id).update(uses=F("uses") + count)
    denied = sum(1 for item in fresh if not item.allowed)
    if denied:
        raise_security(community_id, point.pk, SecurityKind.DENIED, "offline", now, count=denied)
    return {"accepted": len(rows), "duplicates": len(events) - len(rows)}


@transaction.atomic
def do_fetch_commands(*, terminal: Terminal, now: datetime | None = None) -> list[dict]:
    """Pending "open now" commands for this terminal's point, each handed out exactly once."""
    now = now or timezone.now()
    pending = list(
        OpenCommand.objects.filter(
            point_id=terminal.point_id, delivered_at__isnull=True, expires_at__gt=now
        ).values_list("pk", "method", "event_id")
    )
    handed = []
    for pk, method, event_id in pending:
        if OpenCommand.objects.filter(pk=pk, delivered_at__isnull=True).update(
            delivered_at=now, delivered_to=terminal
        ):
            handed.append({"id": pk, "method": method, "event": event_id})
    return handed
