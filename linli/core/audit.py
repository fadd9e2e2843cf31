"""Tamper-evident audit trail: every change, hash-chained (SEC-3).

hash = SHA-256(prev_hash ‖ canonical JSON of the entry). Rewriting or deleting any entry breaks
every hash after it, which `linli verify_audit` reports.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Model
from django.utils import timezone

from linli.core import partitions, rawsql
from linli.core.actor import Actor
from linli.core.context import current_request_id, on_behalf_var
from linli.core.models import AuditEntry, AuditHead


def _default(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def jsonable(data):
    """Round-trips through JSON so the hashed form equals what the database stores."""
    return None if data is None else json.loads(json.dumps(data, default=_default, ensure_ascii=False))


def entry_digest(prev_hash: str, fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict:
    return {
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "on_behalf_of": entry.on_behalf_of,
        "community_id": entry.community_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
    }


def record(
    *,
    actor: Actor | None,  # None: the system itself (a sync, a periodic job)
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    community_id: int | None = None,
    before=None,
    after=None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction, so the entry and the
    change commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the change's transaction")
    last_hash = _locked_head()
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        on_behalf_of=on_behalf_var.get(),
        community_id=community_id,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id or (obj.pk if obj is not None else "")),
        before=jsonable(before),
        after=jsonable(after),
        request_id=current_request_id(),
        prev_hash=last_hash,
    )
    entry.hash = entry_digest(last_hash, _hashed_fields(entry))
    entry.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {rawsql.table(AuditHead)} SET last_hash = %s, last_id = %s WHERE id = 1",
            [entry.hash, entry.id],
        )
    return entry


def _locked_head() -> str:
    """The chain's last hash, its row locked until the transaction ends: the appends of all
    transactions queue here. Hand-written (linli.core.rawsql) because every audited write in
    the platform passes through it, and its queryset cost more than the lookup."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {rawsql.table(AuditHead)} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:  # the chain's first entry
        AuditHead.objects.get_or_create(pk=1)
        return _locked_head()
    return row[0]


def record_change(
    *,
    actor: Actor | None,
    obj: Model,
    community_id: int | None,
    before: dict,
    snapshot: Callable[[Any], dict],
    action: str = "update",
) -> AuditEntry:
    """Record a change of `obj`: `before` is what `snapshot(obj)` returned ahead of the change,
    the after state is taken now (refresh `obj` first when the change was an `update()`)."""
    return record(
        actor=actor,
        action=action,
        obj=obj,
        community_id=community_id,
        before=before,
        after=snapshot(obj),
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> VerifyResult:
    prev = _chain_start()
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.prev_hash != prev:
                return VerifyResult(False, checked, entry.id, "prev_hash does not match the entry before")
            if entry_digest(prev, _hashed_fields(entry)) != entry.hash:
                return VerifyResult(False, checked, entry.id, "content does not match its hash")
            prev = entry.hash
            checked += 1
            last_id = entry.id
    head = AuditHead.objects.filter(pk=1).first()
    if head and head.last_hash != prev:
        return VerifyResult(False, checked, None, "entries after the last one were deleted")
    return VerifyResult(True, checked)


# --- retention: whole months dropped, the cut recorded in the chain ---------------------------

PRUNED = "audit.pruned"
GENESIS = "0" * 64


def _chain_start() -> str:
    """The hash the oldest entry follows: the genesis, or, once retention dropped the oldest
    months, the last dropped entry's hash, which the chained `audit.pruned` entry of that cut
    records. Deleting any further old entry leaves an oldest entry no cut names: a break."""
    first = AuditEntry.objects.order_by("id").values_list("prev_hash", flat=True).first()
    if (
        first
        and first != GENESIS
        and AuditEntry.objects.filter(action=PRUNED, after__through_hash=first).exists()
    ):
        return first
    return GENESIS


def drop_months_before(cutoff: datetime) -> int:
    """Drops the audit months wholly before `cutoff` (PostgreSQL, partitioned by month) and
    records the cut as an entry of the chain; returns how many months it dropped. Refuses (0)
    when an entry kept is older in the chain than one dropped (clocks of two servers apart at a
    month's turn): the cut would leave a hole that verification reports as tampering."""
    table = AuditEntry._meta.db_table
    if not partitions.is_partitioned(table) or not partitions.expired_months(table, cutoff):
        return 0
    with transaction.atomic():
        _locked_head()  # appends wait until the cut is recorded
        last = AuditEntry.objects.filter(at__lt=cutoff).order_by("-id").values("id", "hash").first()
        kept_from = AuditEntry.objects.filter(at__gte=cutoff).aggregate(first=Min("id"))["first"]
        if last is not None:
            if kept_from is not None and kept_from < last["id"]:
                return 0
            record(
                actor=None,
                action=PRUNED,
                object_type="core.auditentry",
                after={"before": cutoff, "through_id": last["id"], "through_hash": last["hash"]},
            )
        dropped = partitions.drop_months_before(AuditEntry, cutoff)
        AuditEntry.objects.filter(at__lt=cutoff).delete()  # stray rows of the default partition
    return dropped
