"""/api/v1/iot/charging: chargers and their free ports, charging sessions (residents start and
stop their own, staff see and stop those in their scope), the tariff and billing (PARK-3)."""

from django.http import Http404
from ninja import Query, Router, Status

from linli.core.http import community_for
from linli.core.pagination import keyset_page
from linli.core.roles import Action
from linli.core.schema_types import Id
from linli.core.schemas import PageQuery
from linli.iot import queries
from linli.iot.models import ChargingSession, Device
from linli.iot.schemas import BilledOut, ChargerOut, SessionIn, SessionOut, TariffIn, TariffOut
from linli.iot.services import chargers, charging_bills

router = Router(tags=["iot"])


def charger_out(d: Device) -> dict:
    ports = list(d.ports.all())
    online = bool(getattr(d, "state", None) and d.state.online)
    return {
        "id": d.pk,
        "code": d.code,
        "name": d.name,
        "kind": d.profile.kind,
        "place": d.place,
        "building_id": d.building_id,
        "online": online,
        "free_ports": len(queries.free_ports(d)),
        "ports": [{"number": p.number, "state": p.state, "power_w": p.power_w} for p in ports],
    }


def session_out(s: ChargingSession) -> dict:
    return {
        "id": s.pk,
        "device_id": s.device_id,
        "device": s.device.name,
        "kind": s.device.profile.kind,
        "port": s.port,
        "status": s.status,
        "via": s.via,
        "house_id": s.house_id,
        "planned_minutes": s.planned_minutes,
        "started_at": s.started_at,
        "ends_at": s.ends_at,
        "stopped_at": s.stopped_at,
        "stop_reason": s.stop_reason,
        "energy_wh": s.energy_wh,
        "amount_fen": s.amount_fen,
        "billed": bool(s.bill_id),
    }


def _session(request, session_id: int) -> ChargingSession:
    found = queries.session(request.user, session_id)
    if found is None:
        raise Http404
    return found


def _resident_or_staff(request, community: int) -> None:
    """Charging is a facility of the community: its residents and its staff may look."""
    if not queries.lives_in_community(request.user, community):
        community_for(request, community, Action.IOT_VIEW)


@router.get("/chargers", response=list[ChargerOut])
def charger_list(request, community: Id):
    _resident_or_staff(request, community)
    return [charger_out(d) for d in queries.chargers(request.user, community)]


@router.get("/chargers/{device_id}", response=ChargerOut)
def charger_detail(request, device_id: int):
    found = queries.charger(request.user, device_id)
    if found is None:
        raise Http404
    return charger_out(found)


@router.get("/sessions/mine", response=list[SessionOut])
def my_sessions(request):
    return [session_out(s) for s in queries.my_sessions(request.user).order_by("-id")[:50]]


@router.get("/sessions")
def session_list(request, community: Id, page: Query[PageQuery]):
    community_for(request, community, Action.IOT_VIEW)
    rows, cursor = keyset_page(
        queries.sessions(request.user, community), cursor=page.cursor, limit=page.limit, newest_first=True
    )
    return {"items": [session_out(s) for s in rows], "next_cursor": cursor}


@router.post("/sessions", response={201: SessionOut})
def start(request, payload: SessionIn):
    session = chargers.do_start_session(
        actor=request.user,
        device_id=payload.device,
        port=payload.port,
        house_id=payload.house,
        minutes=payload.minutes,
    )
    return Status(201, session_out(_session(request, session.pk)))


@router.get("/sessions/{session_id}", response=SessionOut)
def session_detail(request, session_id: int):
    return session_out(_session(request, session_id))


@router.post("/sessions/{session_id}/stop", response=SessionOut)
def stop(request, session_id: int):
    _session(request, session_id)
    session = chargers.do_stop_session(actor=request.user, session_id=session_id)
    return session_out(_session(request, session.pk))


@router.get("/tariff", response=TariffOut)
def tariff(request, community: Id):
    _resident_or_staff(request, community)
    return _tariff_out(chargers.tariff_of(community))


@router.put("/tariff", response=TariffOut)
def set_tariff(request, community: Id, payload: TariffIn):
    community_for(request, community, Action.IOT_VIEW)
    prices = payload.model_dump(exclude={"fee_item"})
    saved = charging_bills.do_set_tariff(
        actor=request.user, community_id=community, fee_item_id=payload.fee_item, **prices
    )
    return _tariff_out(saved)


@router.post("/bill", response=BilledOut)
def bill_now(request, community: Id):
    community_for(request, community, Action.IOT_VIEW)
    return charging_bills.do_bill_now(actor=request.user, community_id=community)


def _tariff_out(t) -> dict:
    return {
        "ebike_fen_per_hour": t.ebike_fen_per_hour,
        "ebike_max_minutes": t.ebike_max_minutes,
        "car_fen_per_kwh": t.car_fen_per_kwh,
        "fee_item": t.fee_item_id,
    }
