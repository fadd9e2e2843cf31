"""/api/v1/iot: devices and their values, alarms, commands, broadcasts, rules and automations
for staff, and the HTTP ingest for devices (docs/devices.md). Thin: reads through queries,
writes through services."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from linli.core.errors import ServiceError
from linli.core.http import community_for
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schema_types import Id, Text
from linli.iot import queries
from linli.iot.charging_api import router as charging_router
from linli.iot.downloads import xlsx_download
from linli.iot.ingest import http as ingest_http
from linli.iot.models import Alarm, Automation, Device
from linli.iot.schemas import (
    AlarmFilter,
    AlarmOut,
    AssignIn,
    AutomationIn,
    AutomationOut,
    BroadcastIn,
    BroadcastOut,
    CommandIn,
    CommandOut,
    DeviceChangeIn,
    DeviceFilter,
    DeviceIn,
    DeviceOut,
    DevicesImportedOut,
    DeviceTokenOut,
    HistoryQuery,
    IngestOut,
    NoteIn,
    ProfileOut,
    ReadingPointOut,
    RegisteredOut,
    RuleIn,
    RuleOut,
    RulesDocument,
)
from linli.iot.services import alarms, automations, broadcasts, commands, devices, rules
from linli.registry.io.reader import check_size

router = Router(tags=["iot"])
router.add_router("/charging", charging_router)
Code = Text(64, min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
Channel = Text(10, pattern=r"^(telemetry|event|status)$")


def device_out(d: Device) -> dict:
    state = getattr(d, "state", None)
    return {
        "id": d.pk,
        "code": d.code,
        "name": d.name,
        "profile_id": d.profile_id,
        "profile": d.profile.name,
        "kind": d.profile.kind,
        "building_id": d.building_id,
        "floor": d.floor,
        "place": d.place,
        "params": d.params,
        "active": d.active,
        "online": bool(state and state.online),
        "last_seen": state.last_seen if state else None,
        "values": state.values if state else {},
        "rejected": state.rejected if state else 0,
        "last_rejection": state.last_rejection if state else "",
    }


def _device(request, device_id: int, action: str = Action.IOT_VIEW) -> Device:
    found = queries.device(request.user, device_id, action)
    if found is None:
        raise Http404
    return found


def _alarm(request, alarm_id: int) -> Alarm:
    found = queries.alarm(request.user, alarm_id)
    if found is None:
        raise Http404
    return found


# --- devices -------------------------------------------------------------------------------------
@router.get("/profiles", response=list[ProfileOut])
def profiles(request, community: Id):
    community_for(request, community, Action.IOT_VIEW)
    return queries.profiles(request.user, community)


@router.get("/devices")
def device_list(request, community: Id, page: Query[DeviceFilter]):
    community_for(request, community, Action.IOT_VIEW)
    found = queries.devices(request.user, community)
    if page.profile:
        found = found.filter(profile_id=page.profile)
    if page.building:
        found = found.filter(building_id=page.building)
    if page.online is not None:
        found = found.filter(state__online=page.online)
    rows, cursor = keyset_page(found, cursor=page.cursor, limit=page.limit)
    return {"items": [device_out(d) for d in rows], "next_cursor": cursor}


@router.post("/devices", response={201: RegisteredOut})
def register(request, community: Id, payload: DeviceIn):
    """The token is in this answer only; store it in the device."""
    community_for(request, community, Action.IOT_VIEW)
    device, token = devices.do_register_device(actor=request.user, community_id=community, **payload.dict())
    return Status(201, {**device_out(_device(request, device.pk)), "token": token})


# The fixed paths before /devices/{device_id}.
@router.post("/devices/import", response={201: DevicesImportedOut})
def device_import(request, community: Id, file: File[UploadedFile]):
    """Devices from an .xlsx (columns in docs/devices.md), all or none: one bad row and nothing is
    created (422 `import_has_errors`, every bad row with its row, column, code and message). The
    tokens are in this answer only."""
    community_for(request, community, Action.IOT_VIEW)
    check_size(file.size)
    done = devices.do_import_devices(actor=request.user, community_id=community, data=file.read())
    rows = [{"id": d.pk, "code": d.code, "name": d.name, "token": t} for d, t in done.devices]
    return Status(201, {"created": len(rows), "devices": rows})


@router.get("/devices/import/template")
def device_import_template(request, community: Id):
    """The .xlsx to fill in: the header row and one example."""
    community_for(request, community, Action.IOT_VIEW)
    return xlsx_download(devices.import_template(), "linli-devices-template.xlsx")


@router.get("/devices/{device_id}", response=DeviceOut)
def device_detail(request, device_id: int):
    return device_out(_device(request, device_id))


@router.patch("/devices/{device_id}", response=DeviceOut)
def device_change(request, device_id: int, payload: DeviceChangeIn):
    _device(request, device_id)
    devices.do_update_device(actor=request.user, device_id=device_id, **payload.dict(exclude_unset=True))
    return device_out(_device(request, device_id))


@router.post("/devices/{device_id}/token", response=DeviceTokenOut)
def rotate_token(request, device_id: int):
    _device(request, device_id)
    return {"token": devices.do_rotate_token(actor=request.user, device_id=device_id)}


@router.get("/devices/{device_id}/history", response=list[ReadingPointOut])
def history(request, device_id: int, q: Query[HistoryQuery]):
    found = _device(request, device_id)
    return [
        {"at": at, "value": v, "min": lo, "max": hi}
        for at, v, lo, hi in queries.history(found, q.key, q.since, q.until)
    ]


@router.post("/devices/{device_id}/commands", response={201: CommandOut})
def send(request, device_id: int, payload: CommandIn):
    _device(request, device_id)
    command = commands.do_send_command(
        actor=request.user, device_id=device_id, name=payload.name, params=payload.params
    )
    return Status(201, command)


@router.get("/devices/{device_id}/commands", response=list[CommandOut])
def device_commands(request, device_id: int):
    found = _device(request, device_id)
    return list(queries.commands(request.user, found.community_id).filter(device=found)[:50])


# --- alarms --------------------------------------------------------------------------------------
@router.get("/alarms")
def alarm_list(request, community: Id, page: Query[AlarmFilter]):
    community_for(request, community, Action.IOT_VIEW)
    found = (
        queries.open_alarms(request.user, community)
        if page.open_only
        else queries.alarms(request.user, community)
    )
    if page.status:
        found = found.filter(status=page.status)
    if page.severity:
        found = found.filter(severity=page.severity)
    rows, cursor = keyset_page(found, cursor=page.cursor, limit=page.limit, newest_first=True)
    return {"items": [AlarmOut.from_orm(a).dict() for a in rows], "next_cursor": cursor}


@router.get("/alarms/{alarm_id}", response=AlarmOut)
def alarm_detail(request, alarm_id: int):
    return _alarm(request, alarm_id)


@router.post("/alarms/{alarm_id}/acknowledge", response=AlarmOut)
def acknowledge(request, alarm_id: int, payload: NoteIn):
    _alarm(request, alarm_id)
    return alarms.do_acknowledge(actor=request.user, alarm_id=alarm_id, note=payload.note)


@router.post("/alarms/{alarm_id}/assign", response=AlarmOut)
def assign(request, alarm_id: int, payload: AssignIn):
    _alarm(request, alarm_id)
    return alarms.do_assign(actor=request.user, alarm_id=alarm_id, user_id=payload.user_id)


@router.post("/alarms/{alarm_id}/clear", response=AlarmOut)
def clear(request, alarm_id: int, payload: NoteIn):
    _alarm(request, alarm_id)
    return alarms.do_clear(actor=request.user, alarm_id=alarm_id, note=payload.note)


# --- broadcasts ----------------------------------------------------------------------------------
@router.post("/broadcasts", response={201: BroadcastOut})
def broadcast(request, community: Id, payload: BroadcastIn):
    community_for(request, community, Action.IOT_VIEW)
    done = broadcasts.do_broadcast(actor=request.user, community_id=community, **payload.dict())
    return Status(201, done)


@router.get("/broadcasts", response=list[BroadcastOut])
def broadcast_list(request, community: Id):
    community_for(request, community, Action.IOT_VIEW)
    return list(queries.broadcasts(request.user, community)[:50])


# --- rules ---------------------------------------------------------------------------------------
@router.get("/rules", response=list[RuleOut])
def rule_list(request, community: Id):
    community_for(request, community, Action.IOT_VIEW)
    return list(queries.rules(request.user, community))


@router.post("/rules", response={201: RuleOut})
def rule_create(request, community: Id, payload: RuleIn):
    community_for(request, community, Action.IOT_VIEW)
    rule = rules.do_save_rule(
        actor=request.user,
        community_id=community,
        doc=payload.rule,
        profile_id=payload.profile_id,
        device_id=payload.device_id,
    )
    return Status(201, rule)


@router.get("/rules/export")
def rule_export(request, community: Id):
    community_for(request, community, Action.IOT_VIEW)
    return rules.export(community, queries.rules(request.user, community))


@router.post("/rules/import")
def rule_import(request, community: Id, payload: RulesDocument):
    community_for(request, community, Action.IOT_VIEW)
    count = rules.do_import_rules(
        actor=request.user,
        community_id=community,
        document=payload.dict(exclude={"replace"}),
        replace=payload.replace,
    )
    return {"imported": count}


@router.put("/rules/{rule_id}", response=RuleOut)
def rule_change(request, rule_id: int, payload: RuleIn):
    found = queries.rule(request.user, rule_id)
    if found is None:
        raise Http404
    return rules.do_save_rule(
        actor=request.user, community_id=found.community_id, doc=payload.rule, rule_id=rule_id
    )


@router.delete("/rules/{rule_id}", response={204: None})
def rule_delete(request, rule_id: int):
    found = queries.rule(request.user, rule_id)
    if found is None:
        raise Http404
    rules.do_delete_rule(actor=request.user, community_id=found.community_id, rule_id=rule_id)
    return Status(204, None)


# --- automations ---------------------------------------------------------------------------------
@router.get("/automations", response=list[AutomationOut])
def automation_list(request, community: Id):
    community_for(request, community, Action.IOT_VIEW)
    return list(queries.automations(request.user, community))


@router.post("/automations", response={201: AutomationOut})
def automation_create(request, community: Id, payload: AutomationIn):
    community_for(request, community, Action.IOT_VIEW)
    return Status(
        201, automations.do_save_automation(actor=request.user, community_id=community, **payload.dict())
    )


def _automation(request, automation_id: int) -> Automation:
    found = queries.automation(request.user, automation_id)
    if found is None:
        raise Http404
    return found


@router.put("/automations/{automation_id}", response=AutomationOut)
def automation_change(request, automation_id: int, payload: AutomationIn):
    found = _automation(request, automation_id)
    return automations.do_save_automation(
        actor=request.user, community_id=found.community_id, automation_id=found.pk, **payload.dict()
    )


@router.post("/automations/{automation_id}/enable", response=AutomationOut)
def automation_enable(request, automation_id: int):
    _automation(request, automation_id)
    return automations.do_set_automation_enabled(
        actor=request.user, automation_id=automation_id, enabled=True
    )


@router.post("/automations/{automation_id}/disable", response=AutomationOut)
def automation_disable(request, automation_id: int):
    """Runs already going finish; no new run starts until it is enabled again."""
    _automation(request, automation_id)
    return automations.do_set_automation_enabled(
        actor=request.user, automation_id=automation_id, enabled=False
    )


# --- devices sending (docs/devices.md, "HTTP"); the fixed path before the one with {channel} -----
@router.get("/ingest/{community_code}/{device_code}/commands", auth=None)
def device_fetches_commands(request, community_code: Code, device_code: Code):
    token = ingest_http.bearer(request.headers.get("Authorization", ""))
    try:
        pending = ingest_http.pending_commands(community_code, device_code, token)
    except ingest_http.Refused as refused:
        return HttpResponse(status=ingest_http.STATUS.get(refused.code, 400))
    return {"commands": pending, "at": timezone.now()}


@router.post("/ingest/{community_code}/{device_code}/{channel}", auth=None, response={202: IngestOut})
def ingest(request, community_code: Code, device_code: Code, channel: Channel):
    """A device's message; its token in the body or as `Authorization: Bearer`. A refusal is the
    usual error shape with the codes of docs/devices.md ("Refusals")."""
    token = ingest_http.bearer(request.headers.get("Authorization", ""))
    status, result = ingest_http.accept(community_code, device_code, channel, request.body, token)
    if result != "ok":
        raise ServiceError(result, ingest_http.REFUSALS.get(result, result), status=status)
    return Status(202, {"status": result})
