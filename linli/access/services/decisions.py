"""Decisions, the hot path: credential in, allow/deny with a reason code out, one access event.

A card decision is four indexed queries: the terminal (auth), the credential, the person's
grants at this point with their registry sources checked in the same statement, and the event
insert. Denials add the security bookkeeping; passes add the atomic use count.
"""

from __future__ import annotations  # pass_tokens imports services: its names are read at call time

import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access import digests, faces, jws, pass_tokens, rights, tasks
from linli.access.choices import (
    NOT_SECURITY,
    ChangeKind,
    CredentialKind,
    Method,
    Reason,
    SecurityKind,
    SecurityStatus,
)
from linli.access.decide import sql
from linli.access.decide.grants import evaluate_people
from linli.access.models import (
    AccessEvent,
    AccessPoint,
    OpenCommand,
    SecurityEvent,
    Terminal,
    VisitorPass,
)
from linli.access.services._common import log_change
from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.events import enqueue_after_commit, publish
from linli.core.masking import mask_name
from linli.core.permissions import require
from linli.core.queries import staff_user_ids
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry.models import Person

PIN_MAX_FAILURES = 5
PIN_WINDOW = timedelta(minutes=1)
REPEATED_FAILURES = 5
REPEATED_WINDOW = timedelta(minutes=1)
OPEN_COMMAND_TTL = timedelta(seconds=30)
_LABELS = dict(Reason.choices)


@dataclass
class Decision:
    allowed: bool
    reason: str
    person_id: int | None = None
    person_name: str = ""
    pass_id: int | None = None
    event_id: int | None = None
    detail: dict | None = field(default=None)

    @property
    def message(self) -> str:
        return str(_LABELS.get(self.reason, self.reason))


# --- events and security -------------------------------------------------------------------


def record_event(
    *,
    point: AccessPoint,
    terminal: Terminal | None,
    method: str,
    decision: Decision,
    now: datetime,
    event_uuid: uuidlib.UUID | None,
) -> Decision:
    """One access event per decision. An allowed one is a single insert (no transaction held
    open across the reads: on SQLite that would serialise every gate); a denial also updates
    the security events, atomically with its event."""
    values = dict(
        community_id=point.community_id,
        point_id=point.pk,
        terminal_id=getattr(terminal, "pk", None),
        person_id=decision.person_id,
        visitor_pass_id=decision.pass_id,
        at=now,
        method=method,
        allowed=decision.allowed,
        reason=decision.reason,
        direction=point.direction,
        uuid=event_uuid,
        offline=False,
        detail=decision.detail,
    )
    if decision.allowed and not transaction.get_connection().in_atomic_block:
        decision.event_id = sql.insert_event(**values)  # autocommit: no BEGIN/COMMIT round trips
    elif decision.allowed:
        with transaction.atomic():  # a savepoint, so that a duplicate event id leaves the caller usable
            decision.event_id = sql.insert_event(**values)
    else:
        with transaction.atomic():
            decision.event_id = sql.insert_event(**values)
            _after_denial(point, decision.reason, now)
    return decision


def raise_security(
    community_id: int, point_id: int | None, kind: str, reason: str, now: datetime, count=1
) -> bool:
    """Bumps the open security event of this point and kind, or opens one (and tells the
    guards). Deduplicated by a conditional update plus a partial unique index."""
    bump = dict(count=F("count") + count, last_at=now, last_reason=reason)
    open_rows = SecurityEvent.objects.filter(point_id=point_id, kind=kind, status=SecurityStatus.OPEN)
    if open_rows.update(**bump):
        return False
    try:
        with transaction.atomic():
            event = SecurityEvent.objects.create(
                community_id=community_id,
                point_id=point_id,
                kind=kind,
                first_at=now,
                last_at=now,
                count=count,
                last_reason=reason,
            )
    except IntegrityError:
        open_rows.update(**bump)
        return False
    publish(
        "access.security_event",
        {"id": event.pk, "kind": kind, "point": point_id, "reason": reason},
        users=staff_user_ids(community_id, Action.ACCESS_VIEW),
        community_id=community_id,
    )
    return True


def _after_denial(point: AccessPoint, reason: str, now: datetime) -> None:
    if reason in NOT_SECURITY:
        return
    kind = SecurityKind.UNKNOWN_FACE if reason == Reason.FACE_NO_MATCH else SecurityKind.DENIED
    raise_security(point.community_id, point.pk, kind, reason, now)
    if sql.recent_denials(point.pk, now - REPEATED_WINDOW, cap=REPEATED_FAILURES) >= REPEATED_FAILURES:
        raise_security(point.community_id, point.pk, SecurityKind.REPEATED_FAILURES, reason, now)


def replayed_decision(event_uuid: uuidlib.UUID | None) -> Decision | None:
    """A terminal retrying a decision it got no answer to gets the first answer, not a second
    opening (and a one-time pass is not used twice)."""
    if event_uuid is None:
        return None
    row = (
        AccessEvent.objects.filter(uuid=event_uuid)
        .values("allowed", "reason", "person_id", "person__name", "visitor_pass_id", "pk", "detail")
        .first()
    )
    if row is None:
        return None
    return Decision(
        allowed=row["allowed"],
        reason=row["reason"],
        person_id=row["person_id"],
        person_name=mask_name(row["person__name"] or ""),
        pass_id=row["visitor_pass_id"],
        event_id=row["pk"],
        detail=row["detail"],
    )


def open_command(point: AccessPoint, method: str, event_id: int | None, now: datetime) -> OpenCommand:
    return OpenCommand.objects.create(
        community_id=point.community_id,
        point=point,
        method=method,
        event_id=event_id,
        created_at=now,
        expires_at=now + OPEN_COMMAND_TTL,
    )


# --- credential checks ---------------------------------------------------------------------


def _by_credential(point: AccessPoint, kind: str, lookup: str, now: datetime) -> Decision:
    row = sql.credential_row(point.community_id, kind, lookup)
    if row is None:
        return Decision(False, Reason.UNKNOWN_CREDENTIAL)
    person_id, name, revoked_at = row
    if revoked_at is not None:
        return Decision(False, Reason.CREDENTIAL_REVOKED, person_id, mask_name(name))
    return _by_person([person_id], point, now, default=(person_id, name))


def _by_person(person_ids, point: AccessPoint, now: datetime, default=(None, "")) -> Decision:
    reason, person_id, name = evaluate_people(person_ids, point.pk, now)
    if person_id is None:
        person_id, name = default
    return Decision(reason == Reason.GRANTED, reason, person_id, mask_name(name or ""))


def _pin_locked(point: AccessPoint, now: datetime) -> bool:
    failures = sql.recent_denials(point.pk, now - PIN_WINDOW, method=Method.PIN, cap=PIN_MAX_FAILURES)
    return failures >= PIN_MAX_FAILURES


def _by_pin(point: AccessPoint, house_id: int | None, pin: str, now: datetime) -> Decision:
    if _pin_locked(point, now):
        return Decision(False, Reason.PIN_RATE_LIMITED)
    try:
        pin = digests.clean_pin(pin)
    except ServiceError:
        return Decision(False, Reason.UNKNOWN_CREDENTIAL)
    if house_id is None:
        return Decision(False, Reason.UNKNOWN_CREDENTIAL)
    return _by_credential(
        point, CredentialKind.PIN, digests.pin_lookup(point.community_id, house_id, pin), now
    )


def _by_card(point: AccessPoint, card: str, now: datetime) -> Decision:
    try:
        number = digests.clean_card(card)
    except ServiceError:
        return Decision(False, Reason.UNKNOWN_CREDENTIAL)
    return _by_credential(point, CredentialKind.CARD, digests.card_digest(point.community_id, number), now)


def _use_pass(point: AccessPoint, verified: pass_tokens.Verified, now: datetime) -> Decision:
    pass_id = verified.subject_id
    if point.pk not in verified.claims.get("gates", []):
        return Decision(False, Reason.PASS_WRONG_GATE, pass_id=None, detail={"pass": pass_id})
    # The use is counted by one conditional update: two gates racing on a one-time pass
    # cannot both see a use left. The same statement checks that the pass's source (its host
    # living in the house, or its issuer on duty) is still there: no extra query when allowed.
    today = timezone.localdate(now)
    last_use = sql.use_pass(pass_id, point.community_id, today)
    if last_use is not None:
        if last_use:
            log_change(point.community_id, ChangeKind.PASS, [pass_id])  # offline gates learn it is spent
        enqueue_after_commit(tasks.tell_visitor_arrived, pass_id, point.pk, now.isoformat())
        return Decision(True, Reason.VISITOR_PASS, pass_id=pass_id)
    row = (
        VisitorPass.objects.filter(pk=pass_id, community_id=point.community_id)
        .annotate(ended=rights.pass_ended(today))
        .values("revoked_at", "revoke_reason", "ended")
        .first()
    )
    if row is None:
        return Decision(False, Reason.PASS_UNKNOWN)
    if row["revoked_at"] is not None:
        return Decision(False, row["revoke_reason"] or Reason.PASS_REVOKED, pass_id=pass_id)
    if row["ended"]:
        return Decision(False, row["ended"], pass_id=pass_id)
    return Decision(False, Reason.PASS_USED_UP, pass_id=pass_id)


def _by_qr(point: AccessPoint, token: str, now: datetime) -> Decision:
    try:
        verified = pass_tokens.verify_qr(token, point.community_id, now)
    except jws.JwsError as exc:
        return Decision(False, exc.code)
    if verified.kind == "resident":
        return _by_person([verified.subject_id], point, now)
    return _use_pass(point, verified, now)


def _by_face(point: AccessPoint, image: bytes, embedding: str, now: datetime) -> Decision:
    outcome = faces.identify(point, image=image, embedding=embedding, now=now)
    if outcome.person_id is None:
        return Decision(False, outcome.reason, detail=outcome.detail)
    decision = _by_person([outcome.person_id], point, now, default=(outcome.person_id, ""))
    decision.detail = outcome.detail
    return decision


def do_decide(
    *,
    terminal: Terminal,
    method: str,
    card: str = "",
    pin: str = "",
    house_id: int | None = None,
    qr: str = "",
    image: bytes = b"",
    embedding: str = "",
    event_uuid: uuidlib.UUID | None = None,
    now: datetime | None = None,
) -> Decision:
    """The terminal is the actor: it is authenticated and bound to its point. A retried event id
    gets the first answer: looked up first for QR (a pass use must not be spent twice), found
    through the unique constraint otherwise (one query less on the hot path)."""
    if method == Method.QR:
        replay = replayed_decision(event_uuid)
        if replay is not None:
            return replay
    now = now or timezone.now()
    point = terminal.point
    if not point.is_active:
        decision = Decision(False, Reason.POINT_INACTIVE)
    elif method == Method.CARD:
        decision = _by_card(point, card, now)
    elif method == Method.PIN:
        decision = _by_pin(point, house_id, pin, now)
    elif method == Method.QR:
        # A pass use and its event commit together: a failed write cannot spend a use unseen.
        with transaction.atomic():
            return record_event(
                point=point,
                terminal=terminal,
                method=method,
                decision=_by_qr(point, qr, now),
                now=now,
                event_uuid=event_uuid,
            )
    elif method == Method.FACE:
        decision = _by_face(point, image, embedding, now)
    else:
        raise ServiceError("invalid_method", _("不支持的开门方式"), fields={"method": method})
    try:
        return record_event(
            point=point, terminal=terminal, method=method, decision=decision, now=now, event_uuid=event_uuid
        )
    except IntegrityError:
        replay = replayed_decision(event_uuid)  # the same event id raced in from another request
        if replay is None:
            raise
        return replay


# --- opening by people (app, guard) --------------------------------------------------------


@transaction.atomic
def do_remote_open(*, actor: User, point: AccessPoint, now: datetime | None = None) -> Decision:
    """A resident opens a door from the app (ACC-2 "app remote open"): decided by their grants,
    recorded, and handed to the point's terminal as a one-shot command."""
    now = now or timezone.now()
    person_ids = list(
        Person.objects.filter(
            pk__in=scope_of(actor).person_ids, community_id=point.community_id, erased_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if not person_ids:
        raise NotFound()
    if not point.is_active:
        decision = Decision(False, Reason.POINT_INACTIVE)
    else:
        decision = _by_person(person_ids, point, now, default=(person_ids[0], ""))
    record_event(point=point, terminal=None, method=Method.APP, decision=decision, now=now, event_uuid=None)
    if decision.allowed:
        open_command(point, Method.APP, decision.event_id, now)
    return decision


@transaction.atomic
def do_manual_open(
    *, actor: User, point: AccessPoint, visitor_pass: VisitorPass | None = None, now: datetime | None = None
) -> Decision:
    """A guard opens for someone (a walk-in visitor just registered, a delivery van)."""
    require(actor, Action.VISITOR_REGISTER, point.community_id)
    now = now or timezone.now()
    decision = Decision(True, Reason.REMOTE_OPEN)
    if visitor_pass is not None:
        verified = pass_tokens.Verified(
            "pass", visitor_pass.pk, {"gates": list(visitor_pass.gates.values_list("pk", flat=True))}
        )
        decision = _use_pass(point, verified, now)
    record_event(
        point=point, terminal=None, method=Method.MANUAL, decision=decision, now=now, event_uuid=None
    )
    if decision.allowed:
        open_command(point, Method.MANUAL, decision.event_id, now)
    audit.record(
        actor=actor,
        action="open",
        obj=point,
        community_id=point.community_id,
        after={
            "pass": getattr(visitor_pass, "pk", None),
            "allowed": decision.allowed,
            "reason": decision.reason,
        },
    )
    return decision


@transaction.atomic
def do_acknowledge_security_event(*, actor: User, event: SecurityEvent) -> SecurityEvent:
    """The guard has looked; the next denial at that point opens a new event."""
    require(actor, Action.ACCESS_VIEW, event.community_id)
    now = timezone.now()
    if not SecurityEvent.objects.filter(pk=event.pk, status=SecurityStatus.OPEN).update(
        status=SecurityStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
    ):
        raise Conflict("already_acknowledged", _("该事件已处理"))
    event.refresh_from_db()
    audit.record(actor=actor, action="acknowledge", obj=event, community_id=event.community_id)
    return event
