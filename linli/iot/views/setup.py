"""The console's 物联网 setup pages: registering a device (its token shown once), a new token for a
device, registering a sheet of devices.

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
from linli.iot.forms import DeviceForm, DeviceImportForm
from linli.iot.services import devices
from linli.registry import queries as registry_queries
from linli.registry.io.reader import check_size
from linli.registry.io.services import ImportRejected
from linli.registry.io.sheets import XLSX

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
