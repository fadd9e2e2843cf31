"""Thin routers: validate at the edge, read through queries, write through services.

- `router`: staff console and resident app (session or bearer token of a user),
- `terminal_router`: devices (TerminalAuth: bearer `lnt_…` or Ed25519-signed requests),
- `public_router`: the communities' JWKS (no auth).
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from linli.access import faces, keys, pass_tokens, queries, services
from linli.access.decide import edge
from linli.access.models import AccessPoint, Grant, IntercomCall, Terminal, VisitorPass
from linli.access.schemas import (
    AckIn,
    AlertStatus,
    CallIn,
    CallOut,
    CardIn,
    CareAlertOut,
    CareRuleIn,
    CareRuleOut,
    ConsentBy,
    ConsentMethod,
    CredentialOut,
    DecideIn,
    DecisionOut,
    EventFilter,
    EventOut,
    GrantFilter,
    GrantIn,
    GrantOut,
    HelperIn,
    OpenIn,
    ParkingOut,
    PassCreated,
    PassIn,
    PassOut,
    PinIn,
    PinOut,
    PlateIn,
    PointIn,
    PointOut,
    PointPatch,
    QrOut,
    RevokeIn,
    RotateIn,
    SecurityEventOut,
    SecurityStatus,
    SnapshotVersion,
    TerminalCreated,
    TerminalIn,
    TerminalOut,
    UploadIn,
    WalkInIn,
    ZoneIn,
    ZoneOut,
    ZonePointsIn,
)
from linli.access.services.credentials import may_act_for
from linli.access.services.intercom import effective_status
from linli.access.services.terminals import UploadedEvent
from linli.access.terminal_auth import TerminalAuth
from linli.accounts.auth import TokenAuth
from linli.core import queries as core_queries
from linli.core.errors import ServiceError
from linli.core.http import community_for, get_or_404
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schema_types import Id
from linli.core.schemas import PageQuery
from linli.registry import queries as registry_queries

router = Router(tags=["access"])
terminal_router = Router(tags=["access-terminals"], auth=TerminalAuth())
public_router = Router(tags=["access-public"])


def _paged(rows, next_cursor, schema):
    return {"items": [schema.model_validate(r).model_dump() for r in rows], "next_cursor": next_cursor}


def _person(request, person_id: int):
    return get_or_404(queries.people(request.user), pk=person_id)


def _pass_out(visitor_pass: VisitorPass) -> VisitorPass:
    """The pass with its (re-derivable) token and share link attached for PassCreated."""
    visitor_pass.token = pass_tokens.pass_token(visitor_pass)
    visitor_pass.link = f"{settings.LINLI_PUBLIC_URL.rstrip('/')}/access/p/{visitor_pass.token}"
    return visitor_pass


# --- public ---------------------------------------------------------------------------------


@public_router.get("/communities/{community_id}/jwks.json", auth=None, response=dict)
def jwks(request, community_id: int):
    """The community's public keys (RFC 7517, OKP/Ed25519): current and previous."""
    get_or_404(core_queries.any_community(), pk=community_id)
    return keys.jwks(community_id)


# --- installation (staff) ----------------------------------------------------------------------


@router.get("/communities/{community_id}/access/points", response=list[PointOut])
def list_points(request, community_id: int):
    community_for(request, community_id, Action.ACCESS_VIEW)
    return list(queries.points(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/access/points", response={201: PointOut})
def create_point(request, community_id: int, data: PointIn):
    community = community_for(request, community_id, Action.ACCESS_VIEW)
    building = (
        get_or_404(registry_queries.buildings(request.user, community_id), pk=data.building_id)
        if data.building_id
        else None
    )
    unit = get_or_404(registry_queries.units_any(request.user), pk=data.unit_id) if data.unit_id else None
    point = services.do_create_point(
        actor=request.user,
        community=community,
        name=data.name,
        kind=data.kind,
        building=building,
        unit=unit,
        direction=data.direction,
        allow_temporary_parking=data.allow_temporary_parking,
    )
    return Status(201, point)


@router.patch("/access/points/{point_id}", response=PointOut)
def update_point(request, point_id: int, data: PointPatch):
    point = get_or_404(queries.points(request.user), pk=point_id)
    return services.do_update_point(actor=request.user, point=point, **data.dict(exclude_unset=True))


@router.get("/communities/{community_id}/access/zones", response=list[ZoneOut])
def list_zones(request, community_id: int):
    community_for(request, community_id, Action.ACCESS_VIEW)
    return list(queries.zones(request.user).filter(community_id=community_id).prefetch_related("points"))


def _points_by_id(request, community_id: int, ids: list[int]) -> list[AccessPoint]:
    found = list(queries.points(request.user).filter(community_id=community_id, pk__in=ids))
    if len(found) != len(set(ids)):
        raise Http404
    return found


@router.post("/communities/{community_id}/access/zones", response={201: ZoneOut})
def create_zone(request, community_id: int, data: ZoneIn):
    community = community_for(request, community_id, Action.ACCESS_VIEW)
    points = _points_by_id(request, community_id, data.point_ids)
    return Status(
        201, services.do_create_zone(actor=request.user, community=community, name=data.name, points=points)
    )


@router.patch("/access/zones/{zone_id}", response=ZoneOut)
def set_zone_points(request, zone_id: int, data: ZonePointsIn):
    zone = get_or_404(queries.zones(request.user), pk=zone_id)
    points = _points_by_id(request, zone.community_id, data.point_ids)
    return services.do_set_zone_points(actor=request.user, zone=zone, points=points)


@router.get("/communities/{community_id}/access/terminals", response=list[TerminalOut])
def list_terminals(request, community_id: int):
    community_for(request, community_id, Action.ACCESS_VIEW)
    return list(queries.terminals(request.user).filter(community_id=community_id))


@router.post("/communities/{community_id}/access/terminals", response={201: TerminalCreated})
def register_terminal(request, community_id: int, data: TerminalIn):
    community_for(request, community_id, Action.ACCESS_VIEW)
    point = get_or_404(queries.points(request.user).filter(community_id=community_id), pk=data.point_id)
    terminal, token = services.do_register_terminal(
        actor=request.user, point=point, name=data.name, serial=data.serial, public_key=data.public_key
    )
    terminal.token = token
    return Status(201, terminal)


@router.post("/access/terminals/{terminal_id}/rotate", response=TerminalCreated)
def rotate_terminal(request, terminal_id: int, data: RotateIn):
    terminal = get_or_404(queries.terminals(request.user), pk=terminal_id)
    token = services.do_rotate_terminal_credentials(
        actor=request.user, terminal=terminal, public_key=data.public_key
    )
    terminal.refresh_from_db()
    terminal.token = token
    return terminal


@router.post("/access/terminals/{terminal_id}/revoke", response=TerminalOut)
def revoke_terminal(request, terminal_id: int):
    terminal = get_or_404(queries.terminals(request.user), pk=terminal_id)
    return services.do_revoke_terminal(actor=request.user, terminal=terminal)


@router.post("/communities/{community_id}/access/keys/rotate", response=dict)
def rotate_keys(request, community_id: int):
    community = community_for(request, community_id, Action.ACCESS_VIEW)
    key = services.do_rotate_signing_key(actor=request.user, community=community)
    return {"kid": key.kid, "jwks": keys.jwks(community.id)}


# --- grants and credentials ----------------------------------------------------------------


@router.get("/communities/{community_id}/access/grants", response=dict)
def list_grants(request, community_id: int, filters: Query[GrantFilter]):
    community_for(request, community_id, Action.ACCESS_VIEW)
    qs = queries.grants(request.user).filter(community_id=community_id, revoked_at__isnull=True)
    for key in ("person", "zone", "source"):
        value = getattr(filters, key)
        if value is not None:
            qs = qs.filter(**{f"{key}_id" if key != "source" else key: value})
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return _paged(rows, nxt, GrantOut)


@router.post("/access/people/{person_id}/grants", response={201: GrantOut})
def grant_access(request, person_id: int, data: GrantIn):
    person = _person(request, person_id)
    zone = get_or_404(queries.zones(request.user), pk=data.zone_id)
    grant = services.do_grant_access(
        actor=request.user,
        person=person,
        zone=zone,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        schedule=data.schedule,
        label=data.label,
    )
    return Status(201, grant)


def _visible_grant(request, grant_id: int) -> Grant:
    mine = queries.grants_of_my_houses(request.user)
    return get_or_404((queries.grants(request.user) | mine).select_related("person", "zone"), pk=grant_id)


@router.post("/access/grants/{grant_id}/revoke", response=GrantOut)
def revoke_grant(request, grant_id: int, data: RevokeIn):
    grant = _visible_grant(request, grant_id)
    return services.do_revoke_grant(actor=request.user, grant=grant, reason=data.reason)


@router.get("/access/houses/{house_id}/grants", response=list[GrantOut])
def household_grants(request, house_id: int):
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    if registry_queries.lives_in(request.user, house.pk):
        return list(queries.household_grants(request.user, house.pk))
    return list(queries.grants(request.user).filter(house=house, revoked_at__isnull=True))


@router.post("/access/houses/{house_id}/helpers", response={201: GrantOut})
def add_helper(request, house_id: int, data: HelperIn):
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    grant = services.do_add_household_helper(actor=request.user, house=house, **data.model_dump())
    return Status(201, grant)


def _person_for_credentials(request, person_id: int):
    person = _person(request, person_id)
    if (
        not may_act_for(request.user, person)
        and not queries.points(request.user).filter(community_id=person.community_id).exists()
    ):
        raise Http404
    return person


@router.get("/access/people/{person_id}/credentials", response=list[CredentialOut])
def list_credentials(request, person_id: int):
    person = _person_for_credentials(request, person_id)
    return list(queries.credentials_of(person.pk))


@router.post("/access/people/{person_id}/cards", response={201: CredentialOut})
def issue_card(request, person_id: int, data: CardIn):
    person = _person(request, person_id)
    return Status(
        201, services.do_issue_card(actor=request.user, person=person, number=data.number, label=data.label)
    )


@router.post("/access/people/{person_id}/pins", response={201: PinOut})
def issue_pin(request, person_id: int, data: PinIn):
    person = _person(request, person_id)
    house = get_or_404(
        registry_queries.houses(request.user).filter(community_id=person.community_id), pk=data.house_id
    )
    credential, pin = services.do_issue_pin(actor=request.user, person=person, house=house)
    credential.pin = pin
    return Status(201, credential)


@router.post("/access/credentials/{credential_id}/revoke", response=CredentialOut)
def revoke_credential(request, credential_id: int):
    credential = get_or_404(queries.live_credentials(), pk=credential_id)
    if not may_act_for(request.user, credential.person):
        raise Http404
    return services.do_revoke_credential(actor=request.user, credential=credential)


@router.post("/access/people/{person_id}/face", response={201: CredentialOut})
def enrol_face(
    request,
    person_id: int,
    photo: File[UploadedFile],
    consent_by: Form[ConsentBy],
    consent_method: Form[ConsentMethod],
):
    """The photo is read into memory, embedded and dropped; only the encrypted embedding stays."""
    person = _person(request, person_id)
    if not may_act_for(request.user, person):
        raise Http404
    embedding = faces.embed_photo(photo.read(faces.MAX_PHOTO_BYTES + 1))
    credential = services.do_enrol_face(
        actor=request.user,
        person=person,
        embedding_b64=embedding,
        consent_by=consent_by,
        consent_method=consent_method,
    )
    return Status(201, credential)


@router.delete("/access/people/{person_id}/face", response={204: None})
def delete_face(request, person_id: int):
    person = _person(request, person_id)
    services.do_delete_face(actor=request.user, person=person)
    return Status(204, None)


# --- events, visitors, parking (staff) -------------------------------------------------------


@router.get("/communities/{community_id}/access/events", response=dict)
def list_events(request, community_id: int, filters: Query[EventFilter]):
    community_for(request, community_id, Action.ACCESS_VIEW)
    qs = queries.events(request.user).filter(community_id=community_id)
    for key in ("point", "person"):
        if getattr(filters, key) is not None:
            qs = qs.filter(**{f"{key}_id": getattr(filters, key)})
    if filters.allowed is not None:
        qs = qs.filter(allowed=filters.allowed)
    if filters.method:
        qs = qs.filter(method=filters.method)
    # By when it happened, not when it was stored: offline terminals upload old events late.
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True, time_key="at")
    return _paged(rows, nxt, EventOut)


@router.get("/communities/{community_id}/access/security-events", response=list[SecurityEventOut])
def list_security_events(request, community_id: int, status: SecurityStatus = "open"):
    community_for(request, community_id, Action.ACCESS_VIEW)
    return list(queries.security_events(request.user).filter(community_id=community_id, status=status)[:200])


@router.post("/access/security-events/{event_id}/ack", response=SecurityEventOut)
def ack_security_event(request, event_id: int):
    event = get_or_404(queries.security_events(request.user), pk=event_id)
    return services.do_acknowledge_security_event(actor=request.user, event=event)


@router.get("/communities/{community_id}/access/passes", response=dict)
def list_passes(request, community_id: int, filters: Query[PageQuery]):
    community_for(request, community_id, Action.ACCESS_VIEW)
    qs = queries.with_pass_state(queries.passes(request.user).filter(community_id=community_id))
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True)
    return _paged(rows, nxt, PassOut)


@router.post("/communities/{community_id}/access/walk-ins", response={201: PassCreated})
def register_walk_in(request, community_id: int, data: WalkInIn):
    community_for(request, community_id, Action.VISITOR_REGISTER)
    house = get_or_404(
        registry_queries.houses(request.user).filter(community_id=community_id), pk=data.house_id
    )
    visitor_pass = services.do_register_walk_in(
        actor=request.user, house=house, **data.dict(exclude={"house_id", "open_point"})
    )
    if data.open_point is not None:
        point = get_or_404(
            queries.points(request.user, Action.VISITOR_REGISTER).filter(community_id=community_id),
            pk=data.open_point,
        )
        decision = services.do_manual_open(actor=request.user, point=point, visitor_pass=visitor_pass)
        if not decision.allowed:
            raise ServiceError(decision.reason, decision.message, fields={"open_point": decision.reason})
        visitor_pass.refresh_from_db()
    return Status(201, _pass_out(visitor_pass))


@router.post("/access/points/{point_id}/open", response=DecisionOut)
def manual_open(request, point_id: int):
    point = get_or_404(queries.points(request.user, Action.VISITOR_REGISTER), pk=point_id)
    return DecisionOut.of(services.do_manual_open(actor=request.user, point=point))


@router.get("/communities/{community_id}/access/parking", response=dict)
def list_parking(request, community_id: int, filters: Query[PageQuery], open_only: bool = False):
    community_for(request, community_id, Action.ACCESS_VIEW)
    qs = queries.parking(request.user).filter(community_id=community_id)
    if open_only:
        qs = qs.filter(exited_at__isnull=True)
    rows, nxt = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, newest_first=True)
    return _paged(rows, nxt, ParkingOut)


# --- care (staff and family) ---------------------------------------------------------------------


@router.get("/communities/{community_id}/access/care-rules", response=list[CareRuleOut])
def list_care_rules(request, community_id: int):
    community_for(request, community_id, Action.CARE_VIEW)
    return list(queries.care_rules(request.user).filter(community_id=community_id, is_active=True))


@router.post("/access/people/{person_id}/care-rules", response={201: CareRuleOut})
def set_care_rule(request, person_id: int, data: CareRuleIn):
    person = _person(request, person_id)
    return Status(
        201, services.do_set_care_rule(actor=request.user, person=person, kind=data.kind, hours=data.hours)
    )


@router.post("/access/care-rules/{rule_id}/disable", response=CareRuleOut)
def disable_care_rule(request, rule_id: int):
    rule = get_or_404(queries.care_rules(request.user), pk=rule_id)
    return services.do_disable_care_rule(actor=request.user, rule=rule)


@router.get("/communities/{community_id}/access/care-alerts", response=list[CareAlertOut])
def list_care_alerts(request, community_id: int, status: AlertStatus = "open"):
    community_for(request, community_id, Action.CARE_VIEW)
    return list(queries.care_alerts(request.user).filter(community_id=community_id, status=status)[:200])


@router.post("/access/care-alerts/{alert_id}/ack", response=CareAlertOut)
def ack_care_alert(request, alert_id: int, data: AckIn):
    alert = get_or_404(queries.care_alerts_visible(request.user), pk=alert_id)
    return services.do_acknowledge_care_alert(actor=request.user, alert=alert, note=data.note)


# --- the resident ---------------------------------------------------------------------------


@router.get("/access/me", response=dict)
def my_access(request):
    user = request.user
    return {
        "points": [PointOut.model_validate(p).model_dump() for p in queries.my_points(user)],
        "credentials": [CredentialOut.model_validate(c).model_dump() for c in queries.my_credentials(user)],
        "passes": [
            PassOut.model_validate(p).model_dump() for p in queries.my_passes_with_state(user, limit=20)
        ],
        "calls": [CallOut.model_validate(c).model_dump() for c in queries.my_calls(user)],
        "care_alerts": [
            CareAlertOut.model_validate(a).model_dump() for a in queries.my_care_alerts(user)[:20]
        ],
    }


@router.post("/access/me/open", response=DecisionOut)
def open_door(request, data: OpenIn):
    point = get_or_404(queries.points_reachable(request.user), pk=data.point)
    return DecisionOut.of(services.do_remote_open(actor=request.user, point=point))


@router.get("/access/me/qr", response=QrOut)
def my_qr(request, community: Id | None = None):
    person = queries.my_people(request.user, community).order_by("id").first()
    if person is None:
        raise Http404
    token, expires = pass_tokens.resident_token(person.community_id, person.pk, timezone.now())
    return {"token": token, "expires_at": expires}


@router.post("/access/houses/{house_id}/passes", response={201: PassCreated})
def create_pass(request, house_id: int, data: PassIn):
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    values = data.model_dump()
    visitor_pass = services.do_create_pass(
        actor=request.user, house=house, gate_ids=values.pop("gates"), **values
    )
    return Status(201, _pass_out(visitor_pass))


def _my_or_staff_pass(request, pass_id: int) -> VisitorPass:
    return get_or_404(queries.passes_visible(request.user), pk=pass_id)


@router.get("/access/passes/{pass_id}", response=PassCreated)
def get_pass(request, pass_id: int):
    return _pass_out(_my_or_staff_pass(request, pass_id))


@router.get("/access/me/passes", response=list[PassOut])
def my_passes(request):
    return queries.my_passes_with_state(request.user)


@router.post("/access/passes/{pass_id}/revoke", response=PassOut)
def revoke_pass(request, pass_id: int):
    return services.do_revoke_pass(actor=request.user, visitor_pass=_my_or_staff_pass(request, pass_id))


@router.get("/access/intercom/calls", response=list[CallOut])
def my_calls(request):
    return list(queries.my_calls(request.user))


def _my_call(request, call_id: int) -> IntercomCall:
    """A call to a house the user lives in, or one that rang while they lived there (so that a
    tap after moving out is told why it cannot open, rather than "not found")."""
    call = get_or_404(queries.calls_that_rang(request.user).select_related("point"), pk=call_id)
    if not queries.rang_me(request.user, call):
        raise Http404
    return call


@router.post("/access/intercom/calls/{call_id}/open", response=CallOut)
def answer_open(request, call_id: int):
    return services.do_answer_call(actor=request.user, call=_my_call(request, call_id), open_door=True)


@router.post("/access/intercom/calls/{call_id}/decline", response=CallOut)
def answer_decline(request, call_id: int):
    return services.do_answer_call(actor=request.user, call=_my_call(request, call_id), open_door=False)


# --- terminals ------------------------------------------------------------------------------


@terminal_router.post("/access/decide", response=DecisionOut)
def decide(request, data: DecideIn, response: HttpResponse):
    """Also served by the ASGI fast path (linli.access.decide.asgi), same code and answers."""
    answer, took_ms = edge.decide(request.auth, data)
    response["Server-Timing"] = f"decide;dur={took_ms:.2f}"
    return answer


@terminal_router.post("/access/plate-events", response=DecisionOut)
def plate_event(request, data: PlateIn):
    return DecisionOut.of(
        services.do_plate_event(terminal=request.auth, plate=data.plate, event_uuid=data.event_id)
    )


@router.post("/access/intercom/calls", response={201: CallOut}, auth=TerminalAuth())
def start_call(request, data: CallIn):
    """A terminal calls a house (same path as the household's GET, hence on this router)."""
    terminal: Terminal = request.auth
    house = get_or_404(queries.houses_callable(terminal), pk=data.house)
    return Status(201, services.do_start_call(terminal=terminal, house=house))


@terminal_router.get("/access/intercom/calls/{call_id}", response=CallOut, auth=[TerminalAuth(), TokenAuth()])
def get_call(request, call_id: int):
    """Polled by the calling terminal (or a household app) until the call is answered."""
    if isinstance(request.auth, Terminal):
        call = get_or_404(queries.calls_of_terminal(request.auth), pk=call_id)
    else:
        call = _my_call(request, call_id)
    call.status = effective_status(call, timezone.now())
    return call


@terminal_router.get("/terminals/me", response=TerminalOut)
def terminal_me(request):
    return request.auth


@terminal_router.get("/terminals/me/snapshot", response=dict)
def terminal_snapshot(request, since: SnapshotVersion = 0):
    return services.do_sync_terminal(terminal=request.auth, since=max(since, 0))


@terminal_router.post("/terminals/me/events", response=dict)
def terminal_events(request, data: UploadIn):
    events = [UploadedEvent(**e.model_dump()) for e in data.events]
    return services.do_upload_events(terminal=request.auth, events=events)


@terminal_router.get("/terminals/me/commands", response=list[dict])
def terminal_commands(request):
    return services.do_fetch_commands(terminal=request.auth)


# Mounted by linli/api.py with one line: the three routers above under /api/v1/.
api_router = Router()
api_router.add_router("", public_router)
api_router.add_router("", router)
api_router.add_router("", terminal_router)
