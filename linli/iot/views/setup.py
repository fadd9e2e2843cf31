"""The console's 物联网 setup pages: registering a device (its token shown once), a new token for a
device, registering a sheet of devices, editing a rule, and the automations with their runs.

Pages that show a token answer the POST itself (no redirect, `no-store`): the token is in that
one answer and nowhere else, as the API's."""

import base64

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, show_service_error, staff_view
from linli.iot import queries
from linli.iot.downloads import xlsx_download
from linli.iot.forms import KIND_FIELDS, AutomationForm, DeviceForm, DeviceImportForm, RuleForm
from linli.iot.services import automations, devices, rules
from linli.registry import queries as registry_queries
from linli.registry.io.reader import check_size
from linli.registry.io.services import ImportRejected
from linli.registry.io.sheets import XLSX

# A rule's target when created; a long device list is cut (a device's own rule is the rare case,
# and a profile's rule covers every device of it).
MAX_TARGET_DEVICES = 1000
JSON_FIELDS = ("condition", "params", "actions")


# --- devices -------------------------------------------------------------------------------------


@never_cache
@staff_view(Action.IOT_SETUP, "iot_devices")
def device_new(request, console: Console):
    user, community_id = request.user, console.community.id
    choices = {
        "profiles": queries.profiles(user, community_id),
        "buildings": registry_queries.buildings(user, community_id),
    }
    form = DeviceForm(request.POST or None, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device, token = devices.do_register_device(
                actor=user,
                community_id=community_id,
                profile_id=data["profile"],
                code=data["code"],
                name=data["name"],
                building_id=data["building"],
                floor=data["floor"],
                place=data["place"],
            )
        except ServiceError as exc:
            show_service_error(form, _fields(exc, {"building_id": "building", "profile_id": "profile"}))
        else:
            return _token_page(request, console, [(device, token)], _("设备已登记"))
    return console.render(request, "iot/console/device_new.html", {"form": form})


@never_cache
@staff_view(Action.IOT_SETUP, "iot_devices")
def device_token(request, console: Console, device_id: int):
    """POST: a new token for a lost or leaked one (the old stops working)."""
    device = queries.device(request.user, device_id, Action.IOT_SETUP)
    if device is None or device.community_id != console.community.id:
        raise Http404
    if request.method != "POST":
        return redirect(console.reverse("iot:device", device.pk))
    try:
        token = devices.do_rotate_token(actor=request.user, device_id=device.pk)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(console.reverse("iot:device", device.pk))
    return _token_page(request, console, [(device, token)], _("已生成新令牌，旧令牌已失效"))


@never_cache
@staff_view(Action.IOT_SETUP, "iot_devices")
def device_import(request, console: Console):
    """An .xlsx of devices, all or none; the tokens of the devices it created, once."""
    if request.GET.get("template") == "1":
        return xlsx_download(devices.import_template(), "linli-devices-template.xlsx")
    form, report = DeviceImportForm(request.POST or None, request.FILES or None), None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            check_size(file.size)
            done = devices.do_import_devices(
                actor=request.user, community_id=console.community.id, data=file.read()
            )
        except ImportRejected as exc:
            report = exc.report
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            download = base64.b64encode(done.tokens_xlsx()).decode()
            return _token_page(
                request,
                console,
                done.devices,
                _("已登记 %(n)s 台设备") % {"n": len(done.devices)},
                download=f"data:{XLSX};base64,{download}",
            )
    context = {
        "form": form,
        "report": report,
        "errors": sorted(report.errors, key=lambda e: e.row)[:500] if report else [],
    }
    return console.render(request, "iot/console/device_import.html", context)


def _token_page(request, console: Console, made, title: str, download: str = ""):
    context = {"made": made, "title": title, "download": download}
    return console.render(request, "iot/console/tokens.html", context)


def _fields(exc: ServiceError, names: dict[str, str]) -> ServiceError:
    """The service's field names as the form's (a rule's `condition.key` is the form's `key`)."""
    exc.fields = {names.get(name, name): hint for name, hint in exc.fields.items()}
    return exc


# --- rules ---------------------------------------------------------------------------------------


@staff_view(Action.IOT_SETUP, "iot_rules")
def rule_new(request, console: Console):
    user, community_id = request.user, console.community.id
    targets = [
        (_("设备档案"), [(f"p{p.pk}", p.name) for p in queries.profiles(user, community_id)]),
        (
            _("单台设备"),
            [
                (f"d{d.pk}", f"{d.name} ({d.code})")
                for d in queries.devices(user, community_id)[:MAX_TARGET_DEVICES]
            ],
        ),
    ]
    form = RuleForm(request.POST or None, targets=targets, initial={"kind": "threshold", "op": ">"})
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        which = {"profile_id" if target[0] == "p" else "device_id": int(target[1:])}
        if _saved(request, form, community_id, **which):
            return redirect(console.reverse("iot:rules"))
    return console.render(request, "iot/console/rule.html", {"form": form, "rule": None})


@staff_view(Action.IOT_SETUP, "iot_rules")
def rule_edit(request, console: Console, rule_id: int):
    rule = queries.rule(request.user, rule_id)
    if rule is None or rule.community_id != console.community.id:
        raise Http404
    target = f"p{rule.profile_id}" if rule.profile_id else f"d{rule.device_id}"
    targets = [(target, str(rule.profile or rule.device))]  # fixed once created
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            rules.do_delete_rule(actor=request.user, community_id=console.community.id, rule_id=rule.pk)
            messages.success(request, _("规则已删除"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect(console.reverse("iot:rules"))
    initial = {**RuleForm.initial_of(rule), "target": target}
    form = RuleForm(request.POST or None, targets=targets, initial=initial)
    form.fields["target"].disabled = True
    if request.method == "POST" and form.is_valid():
        if _saved(request, form, console.community.id, rule_id=rule.pk):
            return redirect(console.reverse("iot:rules"))
    return console.render(request, "iot/console/rule.html", {"form": form, "rule": rule})


def _saved(request, form: RuleForm, community_id: int, **which) -> bool:
    """Saved whole, or not at all with the spec's complaint beside the field it is about."""
    try:
        rules.do_save_rule(actor=request.user, community_id=community_id, doc=form.document(), **which)
    except ServiceError as exc:
        for path, message in exc.fields.items():
            field = _rule_field(str(path), form.cleaned_data["kind"])
            # Inside a JSON field the path says where: actions.1.text.
            form.add_error(field, f"{path}: {message}" if field in JSON_FIELDS and path != field else message)
        form.add_error(None, str(exc.message))
        return False
    messages.success(request, _("规则已保存"))
    return True


def _rule_field(path: str, kind: str) -> str | None:
    head, _dot, rest = path.partition(".")
    if head == "condition":
        if rest in KIND_FIELDS.get(kind, ()):
            return "from_" if rest == "from" else rest
        return "condition" if kind == "json" else "kind"
    if head in ("profile", "device"):
        return "target"
    if head in ("name", "alarm_type", "severity", "params", "actions", "auto_clear", "enabled"):
        return head
    return None


# --- automations ---------------------------------------------------------------------------------


@staff_view(Action.IOT_VIEW, "iot_automations")
def automation_list(request, console: Console):
    found = list(queries.automations(request.user, console.community.id))
    runs = queries.recent_runs(found)
    context = {
        "rows": [(a, runs.get(a.pk, [])) for a in found],
        "may_setup": console.may(Action.IOT_SETUP),
    }
    return console.render(request, "iot/console/automations.html", context)


@staff_view(Action.IOT_SETUP, "iot_automations")
def automation_new(request, console: Console):
    form = AutomationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _automation_saved(request, form, console):
        return redirect(console.reverse("iot:automations"))
    return console.render(request, "iot/console/automation.html", {"form": form, "automation": None})


@staff_view(Action.IOT_SETUP, "iot_automations")
def automation_edit(request, console: Console, automation_id: int):
    automation = queries.automation(request.user, automation_id)
    if automation is None or automation.community_id != console.community.id:
        raise Http404
    if request.method == "POST" and request.POST.get("action") in ("enable", "disable"):
        try:
            automations.do_set_automation_enabled(
                actor=request.user,
                automation_id=automation.pk,
                enabled=request.POST["action"] == "enable",
            )
            messages.success(request, _("联动场景已更新"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect(console.reverse("iot:automations"))
    form = AutomationForm(request.POST or None, initial=AutomationForm.initial_of(automation))
    if request.method == "POST" and form.is_valid():
        if _automation_saved(request, form, console, automation_id=automation.pk):
            return redirect(console.reverse("iot:automations"))
    context = {"form": form, "automation": automation}
    return console.render(request, "iot/console/automation.html", context)


def _automation_saved(request, form: AutomationForm, console: Console, **which) -> bool:
    data = form.cleaned_data
    try:
        automations.do_save_automation(
            actor=request.user,
            community_id=console.community.id,
            name=data["name"],
            trigger=form.trigger(),
            steps=data["steps"],
            mode=data["mode"],
            enabled=data["enabled"],
            **which,
        )
    except ServiceError as exc:
        names = {"trigger": "at" if data["trigger_kind"] == "at" else "alarm_type"}
        names |= {path: "steps" for path in exc.fields if str(path).startswith("steps")}
        show_service_error(form, _fields(exc, names))
        return False
    messages.success(request, _("联动场景已保存"))
    return True
