"""Charging pages (PARK-3). The resident's: the community's chargers with their free ports, start
charging at home's expense (a charger's QR code opens this page with the charger and port chosen),
a countdown of the open sessions with a stop button, and the recent ones with what they cost.
The console's: every charger's ports live, the sessions with a stop button, the tariff and the
"bill now" button."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.billing import queries as billing_queries
from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, staff_view
from linli.core.shell.tables import Filter
from linli.iot import queries
from linli.iot.choices import SESSION_OPEN, DeviceKind, SessionStatus
from linli.iot.services import chargers, charging_bills
from linli.registry import queries as registry_queries

DURATIONS = (60, 120, 240)  # minutes offered beside "until full"
BILLERS = (Action.BILLING_SETUP, Action.BILLING_COLLECT)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _remaining_minutes(session) -> int | None:
    if session.ends_at is None or session.status != SessionStatus.CHARGING:
        return None
    return max(0, int((session.ends_at - timezone.now()).total_seconds() // 60))


# --- resident --------------------------------------------------------------------------------


@resident_view
def charging(request):
    user = request.user
    houses = list(registry_queries.my_houses(user))
    if request.method == "POST":
        return _start(request, houses)
    community_id = houses[0].community_id if houses else None
    found = list(queries.chargers(user, community_id)) if community_id else []
    context = {
        "houses": houses,
        "chargers": [(d, queries.free_ports(d)) for d in found],
        "chosen": (_int(request.GET.get("device", "")), _int(request.GET.get("port", ""))),
        "durations": DURATIONS,
        "tariff": chargers.tariff_of(community_id) if community_id else None,
        "tab": "services",
        "back": reverse("web:services"),
        **_mine(user),
    }
    return render(request, "iot/resident/charging.html", context)


def _mine(user) -> dict:
    mine = list(queries.my_sessions(user).order_by("-id")[:20])
    return {
        "open": [(s, _remaining_minutes(s)) for s in mine if s.status in SESSION_OPEN],
        "recent": [s for s in mine if s.status not in SESSION_OPEN][:10],
    }


@resident_view
def my_charging(request):
    """The open sessions and the recent ones, refreshed in place while the page is open."""
    return render(request, "iot/resident/_sessions.html", _mine(request.user))


def _start(request, houses):
    post = request.POST
    house = _int(post.get("house", "")) or (houses[0].pk if len(houses) == 1 else None)
    minutes = post.get("minutes", "")
    try:
        chargers.do_start_session(
            actor=request.user,
            device_id=_int(post.get("device", "")) or 0,
            port=_int(post.get("port", "")) or 0,
            house_id=house or 0,
            # "full" is until full; anything not a number is refused by the service, not guessed
            minutes=None if minutes == "full" else (_int(minutes) or -1),
        )
        messages.success(request, _("已发送开始充电指令，请确认插头已插好"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("iot:charging")


@require_POST
@resident_view
def stop_mine(request, session_id: int):
    if queries.my_sessions(request.user).filter(pk=session_id).first() is None:
        raise Http404
    try:
        chargers.do_stop_session(actor=request.user, session_id=session_id)
        messages.success(request, _("已结束充电"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("iot:charging")


# --- console ---------------------------------------------------------------------------------


@staff_view(Action.IOT_VIEW, "iot_chargers")
def console_chargers(request, console: Console):
    user, community_id = request.user, console.community.id
    status = request.GET.get("status", "")
    found = queries.sessions(user, community_id)
    if status == "open":
        found = found.filter(status__in=SESSION_OPEN)
    elif status in SessionStatus.values:
        found = found.filter(status=status)
    rows, next_url, first_url = page_of(request, found, newest_first=True)
    may_bill = any(console.may(a) for a in BILLERS)
    tariff = chargers.tariff_of(community_id)
    context = {
        "chargers": list(queries.chargers(user, community_id)),
        "rows": [(s, _remaining_minutes(s)) for s in rows],
        "next_url": next_url,
        "first_url": first_url,
        "filters": [
            Filter(
                "status",
                _("状态"),
                status,
                (("", _("全部")), ("open", _("进行中")), *SessionStatus.choices),
            )
        ],
        "open_statuses": SESSION_OPEN,
        "tariff": tariff,
        "prices": (f"{tariff.ebike_fen_per_hour / 100:.2f}", f"{tariff.car_fen_per_kwh / 100:.2f}"),
        "fee_items": (
            billing_queries.money_fee_items(user, community_id).filter(kind="one_off") if may_bill else []
        ),
        "may_operate": console.may(Action.IOT_OPERATE),
        "may_setup": console.may(Action.IOT_SETUP),
        "may_bill": may_bill,
        "car_kind": DeviceKind.CAR_CHARGER,
    }
    return console.render(request, "iot/console/chargers.html", context)


def _back(console: Console):
    return redirect(console.reverse("iot:chargers"))


@require_POST
@staff_view(Action.IOT_OPERATE, "iot_chargers")
def console_stop(request, console: Console, session_id: int):
    found = queries.sessions(request.user, console.community.id).filter(pk=session_id).first()
    if found is None:
        raise Http404
    try:
        chargers.do_stop_session(actor=request.user, session_id=found.pk)
        messages.success(request, _("已结束充电"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return _back(console)


def _fen(value: str) -> int | None:
    """ "1.5" yuan → 150 fen; anything else is left to the service's range check as -1."""
    try:
        return round(float(value) * 100)
    except ValueError:
        return -1


@require_POST
@staff_view(Action.IOT_SETUP, "iot_chargers")
def console_tariff(request, console: Console):
    post = request.POST
    try:
        charging_bills.do_set_tariff(
            actor=request.user,
            community_id=console.community.id,
            fee_item_id=_int(post.get("fee_item", "")),
            ebike_fen_per_hour=_fen(post.get("ebike_yuan_per_hour", "")),
            ebike_max_minutes=_int(post.get("ebike_max_minutes", "")) or 0,
            car_fen_per_kwh=_fen(post.get("car_yuan_per_kwh", "")),
        )
        messages.success(request, _("充电收费标准已保存"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return _back(console)


@require_POST
@staff_view(Action.IOT_VIEW, "iot_chargers")
def console_bill(request, console: Console):
    try:
        done = charging_bills.do_bill_now(actor=request.user, community_id=console.community.id)
        messages.success(
            request,
            _("已出账 %(bills)d 张（%(sessions)d 次充电）")
            % {"bills": done["bills"], "sessions": done["sessions"]},
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return _back(console)
