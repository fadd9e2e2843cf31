"""Paying a temporary parking fee (docs/parking.md, "A visitor pays at the exit"): the stay's
page a driver reaches by the QR code the exit barrier shows (no account needed), the resident's
"pay a parking fee" by plate (for themselves or their visitor), and the exit booth's list where
the guard takes cash and the barrier opens."""

import secrets
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from linli.access import queries as access_queries
from linli.billing.services import pay, stay_fees
from linli.core.crypto import blind_index
from linli.core.errors import ServiceError
from linli.core.masking import mask_plate
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.core.shell.qr import qr_svg
from linli.parking.services import exit_fees
from linli.registry.validators import clean_plate


def _stay_context(record, now) -> dict:
    fee = (
        None
        if record.exited_at
        else stay_fees.stay_fee(record.community_id, record.pk, record.entered_at, now)
    )
    return {
        "record": record,
        "plate": mask_plate(record.plate),
        "minutes": int(((record.exited_at or now) - record.entered_at).total_seconds() // 60),
        "fee": fee,
        "free": record.visitor_pass_id is not None or fee is None,
        "grace": int(stay_fees.grace().total_seconds() // 60),
    }


@require_http_methods(["GET", "POST"])
def stay(request, token: str):
    """The stay's fee and its payment, for whoever holds the link (the barrier's QR code)."""
    record_id = exit_fees.stay_of(token)
    record = access_queries.stay(record_id) if record_id is not None else None
    if record is None:
        raise Http404
    now = timezone.now()
    if request.method == "POST":
        try:
            bill = exit_fees.bill_for_payment(record, now)
            channel = request.POST.get("channel") or (stay_fees.online_channels() or [("", "")])[0][0]
            started = pay.do_create_houseless_order(
                bill=bill,
                channel=channel,
                actor=request.user,
                client_ip=request.META.get("REMOTE_ADDR", ""),
                scene=pay.scene_for(request.POST.get("scene", ""), request.headers.get("User-Agent", "")),
                **pay.callback_urls(request.build_absolute_uri, channel),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        if started.start.redirect_url:  # the provider's cashier (the sandbox's page in the demo)
            return redirect(f"{started.start.redirect_url}?{urlencode({'next': request.path})}")
        context = {
            **_stay_context(record, now),
            "qr": qr_svg(started.start.code_url),
            "order": started.payment,
        }
        return render(request, "parking/exit_stay.html", context)
    context = {**_stay_context(record, now), "channels": stay_fees.online_channels()}
    return render(request, "parking/exit_stay.html", context)


class PlateForm(forms.Form):
    plate = forms.CharField(label=gettext_lazy("车牌号"), max_length=12)


@resident_view
def pay_by_plate(request):
    """A resident pays a stay by its plate: their own car parked as a visitor, or their guest's."""
    form = PlateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plate = clean_plate(form.cleaned_data["plate"])
        except ServiceError as exc:
            form.add_error("plate", exc.message)
        else:
            bidx = blind_index("plate", plate)
            for community_id in sorted(scope_of(request.user).resident_community_ids):
                found = access_queries.open_stay(community_id, bidx)
                if found is not None:
                    return redirect("parking:exit_pay", exit_fees.pay_token(found[0]))
            form.add_error("plate", _("场内没有这辆车的临时停车记录"))
    context = {"form": form, "tab": "services", "back": reverse("web:services")}
    return render(request, "parking/resident_pay.html", context)


@staff_view(Action.PARKING_VIEW, "parking_exits")
def console_exits(request, console: Console):
    """Cars on a temporary stay, the fee each owes now, those held at a barrier first; the guard
    takes cash or a card and the barrier the car waits at opens."""
    cid = console.community.id
    if request.method == "POST":
        try:
            exit_fees.do_pay_at_booth(
                actor=request.user,
                community_id=cid,
                record_id=int(request.POST.get("stay", "0")),
                channel=request.POST.get("channel", ""),
                idempotency_key=request.POST.get("key", ""),
            )
            messages.success(request, _("已收费，道闸已抬杆"))
        except ValueError:
            raise Http404 from None
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(console.reverse("parking:console_exits"))
    now = timezone.now()
    stays = access_queries.open_stays(cid)
    fees = stay_fees.stay_fees(cid, [(s.pk, s.entered_at) for s in stays], now)
    held = access_queries.held_stays(cid, now - exit_fees.HELD_RECENTLY)
    rows = [
        {
            "stay": s,
            "plate": mask_plate(s.plate),
            "minutes": int((now - s.entered_at).total_seconds() // 60),
            "owed": 0 if s.visitor_pass_id else getattr(fees.get(s.pk), "owed_fen", 0),
            "held": s.pk in held,
        }
        for s in stays
    ]
    rows.sort(key=lambda r: not r["held"])
    context = {
        "rows": rows,
        "channels": stay_fees.BOOTH_CHANNELS,
        "key": secrets.token_urlsafe(12),
        "may_collect": console.may(Action.PARKING_COLLECT),
    }
    return console.render(request, "parking/console_exits.html", context)
