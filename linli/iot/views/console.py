"""The console's 物联网 pages: the alarm centre (live), an alarm with its timeline and the
acknowledge / assign / clear actions, the devices with their latest values (live), a device with
its history and command buttons, broadcasts to the speakers, and the rules with their export."""

import json
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, staff_view
from linli.core.shell.tables import Filter
from linli.iot import queries
from linli.iot.choices import SEVERITY_RANK, BroadcastPriority, Severity
from linli.iot.services import alarms, broadcasts, commands, rules
from linli.registry import queries as registry_queries

CHART_W, CHART_H = 600, 120


def _refused(request, exc: ServiceError) -> None:
    messages.error(request, str(exc.message))


# --- alarms --------------------------------------------------------------------------------------


@staff_view(Action.IOT_VIEW, "iot_alarms")
def alarm_centre(request, console: Console):
    found = queries.open_alarms(request.user, console.community.id)
    severity = request.GET.get("severity", "")
    if severity in Severity.values:
        found = found.filter(severity=severity)
    rows = sorted(
        found[:200], key=lambda a: (a.status != "active", SEVERITY_RANK[a.severity], -a.last_at.timestamp())
    )
    counts = queries.alarm_counts(request.user, console.community.id)
    context = {
        "rows": rows,
        "counts": [(label, counts.get(value, 0)) for value, label in Severity.choices],
        "filters": [Filter("severity", _("级别"), severity, (("", _("全部级别")), *Severity.choices))],
    }
    return console.render(request, "iot/console/alarms.html", context)


@staff_view(Action.IOT_VIEW, "iot_alarms")
def alarm_detail(request, console: Console, alarm_id: int):
    alarm = queries.alarm(request.user, alarm_id)
    if alarm is None or alarm.community_id != console.community.id:
        raise Http404
    if request.method == "POST":
        return _act(request, console, alarm)
    context = {
        "alarm": alarm,
        "log": queries.alarm_log(alarm),
        "operators": queries.operators(alarm) if console.may(Action.IOT_OPERATE) else (),
        "may_operate": console.may(Action.IOT_OPERATE),
    }
    return console.render(request, "iot/console/alarm.html", context)


def _act(request, console: Console, alarm):
    action, note = request.POST.get("action", ""), request.POST.get("note", "")[:200]
    try:
        if action == "acknowledge":
            alarms.do_acknowledge(actor=request.user, alarm_id=alarm.pk, note=note)
            messages.success(request, _("告警已确认"))
        elif action == "clear":
            alarms.do_clear(actor=request.user, alarm_id=alarm.pk, note=note)
            messages.success(request, _("告警已清除"))
        elif action == "assign" and request.POST.get("user", "").isdigit():
            alarms.do_assign(actor=request.user, alarm_id=alarm.pk, user_id=int(request.POST["user"]))
            messages.success(request, _("告警已指派"))
    except ServiceError as exc:
        _refused(request, exc)
    return redirect(console.reverse("iot:alarm", alarm.pk))


# --- devices -------------------------------------------------------------------------------------


@staff_view(Action.IOT_VIEW, "iot_devices")
def devices(request, console: Console):
    user, community_id = request.user, console.community.id
    found = queries.devices(user, community_id)
    profile, building, online = (request.GET.get(k, "") for k in ("profile", "building", "online"))
    profiles = queries.profiles(user, community_id)
    if profile.isdigit():
        found = found.filter(profile_id=int(profile))
    if building.isdigit():
        found = found.filter(building_id=int(building))
    if online in ("1", "0"):
        found = found.filter(state__online=online == "1")
    rows, next_url, first_url = page_of(request, found)
    buildings = registry_queries.buildings(user, community_id)
    context = {
        "rows": [(d, _readings(d)) for d in rows],
        "next_url": next_url,
        "first_url": first_url,
        "counts": queries.device_counts(user, community_id),
        "filters": [
            Filter(
                "profile",
                _("设备档案"),
                profile,
                (("", _("全部档案")), *((str(p.pk), p.name) for p in profiles)),
            ),
            Filter(
                "building",
                _("楼栋"),
                building,
                (("", _("全部楼栋")), *((str(b.pk), b.name) for b in buildings)),
            ),
            Filter("online", _("在线"), online, (("", _("不限")), ("1", _("在线")), ("0", _("离线")))),
        ],
        "actions": [
            {"label": _("登记设备"), "href": console.reverse("iot:device_new")},
            {"label": _("批量登记"), "href": console.reverse("iot:device_import")},
        ]
        if console.may(Action.IOT_SETUP)
        else [],
    }
    return console.render(request, "iot/console/devices.html", context)


def _readings(device) -> list[tuple[str, str]]:
    """(label, value with its unit) of the latest values, in the profile's order."""
    state = getattr(device, "state", None)
    values = state.values if state else {}
    out = []
    for key in device.profile.keys:
        if key["key"] in values:
            out.append((key["label"], f"{values[key['key']]:g} {key.get('unit') or ''}".strip()))
    return out


@staff_view(Action.IOT_VIEW, "iot_devices")
def device_detail(request, console: Console, device_id: int):
    device = queries.device(request.user, device_id)
    if device is None or device.community_id != console.community.id:
        raise Http404
    if request.method == "POST":
        try:
            commands.do_send_command(
                actor=request.user, device_id=device.pk, name=request.POST.get("name", "")[:40]
            )
            messages.success(request, _("指令已发出，等待设备确认"))
        except ServiceError as exc:
            _refused(request, exc)
        return redirect(console.reverse("iot:device", device.pk))
    until = timezone.now()
    charts = [
        (key, _chart(queries.history(device, key["key"], until - timedelta(days=1), until)))
        for key in device.profile.keys
    ]
    context = {
        "device": device,
        "readings": _readings(device),
        "charts": charts,
        "alarms": queries.alarms(request.user, console.community.id).filter(device=device)[:10],
        "commands": queries.commands(request.user, console.community.id).filter(device=device)[:10],
        "may_operate": console.may(Action.IOT_OPERATE),
        "may_setup": console.may(Action.IOT_SETUP),
    }
    return console.render(request, "iot/console/device.html", context)


def _chart(points) -> dict | None:
    """A polyline in a CHART_W × CHART_H box, drawn on the server (no chart library)."""
    if len(points) < 2:
        return None
    times = [p[0].timestamp() for p in points]
    values = [p[1] for p in points]
    t0, t1, lo, hi = min(times), max(times), min(values), max(values)
    span, height = (t1 - t0) or 1, (hi - lo) or 1
    coords = " ".join(
        f"{(t - t0) / span * CHART_W:.1f},{CHART_H - (v - lo) / height * CHART_H:.1f}"
        for t, v in zip(times, values, strict=True)
    )
    return {"points": coords, "min": f"{lo:g}", "max": f"{hi:g}", "w": CHART_W, "h": CHART_H}


# --- broadcasts and rules ------------------------------------------------------------------------


@staff_view(Action.IOT_OPERATE, "iot_broadcast")
def broadcast(request, console: Console):
    user, community_id = request.user, console.community.id
    if request.method == "POST":
        building = request.POST.get("building", "")
        try:
            done = broadcasts.do_broadcast(
                actor=user,
                community_id=community_id,
                text=request.POST.get("text", "")[:200],
                priority=request.POST.get("priority", BroadcastPriority.NORMAL),
                building_id=int(building) if building.isdigit() else None,
            )
            messages.success(request, _("已发往 %(n)s 个广播音柱") % {"n": done.speakers})
        except ServiceError as exc:
            _refused(request, exc)
        return redirect(console.reverse("iot:broadcast"))
    context = {
        "recent": queries.broadcasts(user, community_id)[:20],
        "buildings": registry_queries.buildings(user, community_id),
        "priorities": BroadcastPriority.choices,
    }
    return console.render(request, "iot/console/broadcast.html", context)


@staff_view(Action.IOT_VIEW, "iot_rules")
def rule_list(request, console: Console):
    found = queries.rules(request.user, console.community.id)
    if request.GET.get("export") == "1":
        document = rules.export(console.community.id, found)
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="rules.json"'
        return response
    if request.method == "POST":
        try:
            document = json.loads(request.FILES["file"].read(1_000_000)) if "file" in request.FILES else None
            count = rules.do_import_rules(
                actor=request.user,
                community_id=console.community.id,
                document=document,
                replace=request.POST.get("replace") == "1",
            )
            messages.success(request, _("已导入 %(n)s 条规则") % {"n": count})
        except (ValueError, ServiceError) as exc:
            messages.error(request, str(getattr(exc, "message", _("规则文件不是有效的JSON"))))
        return redirect(console.reverse("iot:rules"))
    return console.render(
        request, "iot/console/rules.html", {"rows": found, "may_setup": console.may(Action.IOT_SETUP)}
    )
