"""Parking's pages. The resident's: shared spaces open for a chosen time (search), an offer
with its coming week's free spaces and the booking form, and my bookings with cancel. The
console's: the community's offers with their occupancy and income over the last 30 days and the
shared-use rate, and its bookings (plates masked)."""

from datetime import datetime, timedelta
from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from linli.billing.services import stay_fees
from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, show_service_error, staff_view
from linli.core.shell.qr import qr_svg
from linli.core.shell.tables import Filter
from linli.parking import queries, services
from linli.parking.forms import PassForm
from linli.parking.windows import TZ
from linli.registry import queries as registry_queries
from linli.registry.choices import SpaceKind

REPORT_DAYS = 30


def _moment(value: str) -> datetime | None:
    """A datetime-local field (local time, Asia/Shanghai)."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=TZ)
    except ValueError:
        return None


def _resident(extra: dict) -> dict:
    return {"tab": "services", "back": reverse("web:services"), **extra}


@resident_view
def offers(request):
    """Every offer of the user's communities; with a chosen time, those open then with their
    free spaces."""
    start, end = _moment(request.GET.get("start", "")), _moment(request.GET.get("end", ""))
    results = None
    if start and end and end > start:
        communities = set(registry_queries.my_houses(request.user).values_list("community_id", flat=True))
        communities |= set(queries.public_offers().values_list("community_id", flat=True))
        results = [
            row for cid in sorted(communities) for row in queries.search(request.user, cid, start, end)
        ]
    context = _resident(
        {
            "offers": list(queries.bookable_offers(request.user)[:50]),
            "results": results,
            "start": start,
            "end": end,
        }
    )
    return render(request, "parking/resident_offers.html", context)


@resident_view
def offer(request, offer_id: int):
    found = queries.bookable_offers(request.user).filter(pk=offer_id).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        start, end = _moment(request.POST.get("start", "")), _moment(request.POST.get("end", ""))
        try:
            if start is None or end is None:
                raise ServiceError("bad_interval", _("请选择开始和结束时间"))
            services.do_book_shared_space(
                actor=request.user,
                offer=found,
                start_at=start,
                end_at=end,
                plate=request.POST.get("plate", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("parking:offer", found.pk)
        messages.success(request, _("预约成功"))
        return redirect("parking:bookings")
    now = timezone.now()
    context = {
        "offer": found,
        "slots": queries.availability(found, now, now + timedelta(days=7)),
        "plates": [v.plate for v in registry_queries.my_vehicles(request.user)],
        "tab": "services",
        "back": reverse("parking:offers"),
    }
    return render(request, "parking/resident_offer.html", context)


@resident_view
def bookings(request):
    """My bookings with cancel; an outside driver's unpaid booking with 去支付 (pay_by)."""
    if request.method == "POST":
        booking = queries.booking_for(request.user, int(request.POST.get("booking") or 0))
        if booking is None or booking.booker_id != request.user.pk:
            raise Http404
        try:
            if request.POST.get("action") == "pay":
                return _pay(request, booking)
            services.do_cancel_booking(actor=request.user, booking=booking)
            messages.success(request, _("已取消预约"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("parking:bookings")
    context = {
        "bookings": list(queries.my_bookings(request.user)[:50]),
        "channels": stay_fees.online_channels(),
        "now": timezone.now(),
        "tab": "services",
        "back": reverse("parking:offers"),
    }
    return render(request, "parking/resident_bookings.html", context)


def _pay(request, booking):
    started = services.do_start_booking_payment(
        actor=request.user,
        booking=booking,
        channel=request.POST.get("channel", ""),
        absolute=request.build_absolute_uri,
        client_ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", ""),
    )
    if started.start.redirect_url:  # the provider's cashier (the sandbox's page in the demo)
        return redirect(f"{started.start.redirect_url}?{urlencode({'next': reverse('parking:bookings')})}")
    return render(
        request,
        "parking/resident_booking_pay.html",
        {"booking": booking, "payment": started.payment, "qr": qr_svg(started.start.code_url)},
    )


@resident_view
def passes(request):
    """The household's passes, each renewable for the next period."""
    if request.method == "POST":
        found = queries.my_passes(request.user).filter(pk=int(request.POST.get("parking_pass") or 0)).first()
        if found is None:
            raise Http404
        try:
            services.do_renew_pass(actor=request.user, parking_pass=found)
            messages.success(request, _("已续费下一期，请按账单缴费"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("parking:passes")
    context = {
        "passes": list(queries.my_passes(request.user)[:50]),
        "tab": "services",
        "back": reverse("parking:offers"),
    }
    return render(request, "parking/resident_passes.html", context)


# --- console --------------------------------------------------------------------------------------


@staff_view(Action.PARKING_VIEW, "parking_passes")
def console_passes(request, console: Console):
    """The community's passes; staff with parking.manage issue one at the counter, record its
    payment, or void it."""
    form = PassForm(request.POST or None) if console.may(Action.PARKING_MANAGE) else None
    if request.method == "POST" and form is not None:
        if request.POST.get("parking_pass"):
            _pass_action(request, console)
            return redirect(console.reverse("parking:console_passes"))
        if form.is_valid() and _issue(request, console, form):
            return redirect(console.reverse("parking:console_passes"))
    context = {
        "passes": list(queries.community_passes(request.user, console.community.id)[:200]),
        "form": form,
    }
    return console.render(request, "parking/console_passes.html", context)


def _issue(request, console: Console, form: PassForm) -> bool:
    data = form.cleaned_data
    house = registry_queries.house_by_label(
        registry_queries.houses(request.user), console.community.id, data["house"]
    )
    if house is None:
        form.add_error("house", _("找不到该房屋，格式如 1号楼-1单元-301"))
        return False
    person = (
        registry_queries.people(request.user)
        .filter(occupancies__house=house, name=data["person"].strip())
        .first()
    )
    if person is None:
        form.add_error("person", _("该房屋没有此住户"))
        return False
    try:
        services.do_issue_pass(
            actor=request.user,
            house=house,
            person=person,
            plate=data["plate"],
            period=data["period"],
            valid_from=data["valid_from"],
            fee_fen=int(data["fee_yuan"] * 100),
        )
    except ServiceError as exc:
        show_service_error(form, exc)
        return False
    messages.success(request, _("已办理，待缴费"))
    return True


def _pass_action(request, console: Console) -> None:
    found = (
        queries.community_passes(request.user, console.community.id)
        .filter(pk=int(request.POST.get("parking_pass") or 0))
        .first()
    )
    if found is None:
        raise Http404
    try:
        if request.POST.get("action") == "cancel":
            services.do_cancel_pass(actor=request.user, parking_pass=found)
            messages.success(request, _("月卡已作废"))
        else:
            services.do_record_counter_payment(actor=request.user, parking_pass=found)
            messages.success(request, _("已登记前台收费"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))


@staff_view(Action.PARKING_VIEW, "parking_offers")
def console_offers(request, console: Console):
    until = timezone.now()
    since = until - timedelta(days=REPORT_DAYS)
    rows = [
        (o, queries.offer_report(o, since, until))
        for o in queries.community_offers(request.user, console.community.id).prefetch_related("windows")[
            :100
        ]
    ]
    context = {
        "rows": rows,
        "shared_use": queries.shared_use(request.user, console.community.id, since, until),
        "days": REPORT_DAYS,
    }
    return console.render(request, "parking/console_offers.html", context)


@staff_view(Action.PARKING_VIEW, "parking_bookings")
def console_bookings(request, console: Console):
    context = {"bookings": list(queries.community_bookings(request.user, console.community.id)[:200])}
    return console.render(request, "parking/console_bookings.html", context)


# The spaces map: a tile's colour says its state now, its mark the kind of space.
STATE_TONES = {
    queries.BOOKED: "danger",
    queries.PASS: "warn",
    queries.OFFERED: "info",
    queries.FREE: "brand",
}
NO_AREA = "~"  # the filter's value for spaces shown under no area


def _tiles_html(tiles: list, states: dict, kinds: dict, marks: dict) -> SafeString:
    """An area's tiles, a span each: the number and the kind's mark, coloured by the state, with
    the number, kind, state and the taking car's masked plate as the title. Joined here, every
    text escaped, rather than looped in the template: at 10,000 spaces the template's loop alone
    took over a second."""
    return mark_safe(  # every text below is escaped
        "".join(
            '<span class="badge badge-{}" title="{}">{} {}</span>'.format(
                STATE_TONES[t.state],
                escape(
                    " · ".join(
                        p for p in (t.number, kinds.get(t.kind, t.kind), states[t.state], t.plate) if p
                    )
                ),
                escape(t.number),
                escape(marks.get(t.kind, "")),
            )
            for t in tiles
        )
    )


def _state_labels() -> dict[str, str]:
    return {
        queries.BOOKED: _("预约中"),
        queries.PASS: _("月卡占用"),
        queries.OFFERED: _("共享空闲"),
        queries.FREE: _("空闲"),
    }


def _kind_marks() -> dict[str, str]:
    return {
        SpaceKind.OWNED: _("产"),
        SpaceKind.RENTED: _("租"),
        SpaceKind.SHARED: _("共"),
        SpaceKind.VISITOR: _("访"),
    }


@staff_view(Action.PARKING_VIEW, "parking_spaces")
def console_spaces(request, console: Console):
    """The community's spaces by area, each a tile coloured by its state now (booked, under a
    pass, offered, none of these), with the counts and the shared-use rate over the last 30 days
    per area; filtered by area and state (GET `area`, `state`). No names; a taking car's plate
    masked, in the tile's title."""
    now = timezone.now()
    areas = queries.spaces_map(request.user, console.community.id, now, now - timedelta(days=REPORT_DAYS))
    states, marks = _state_labels(), _kind_marks()
    labels = {k: str(v) for k, v in SpaceKind.choices}
    area_value = request.GET.get("area", "")
    state = request.GET.get("state", "")
    state = state if state in states else ""
    shown = []
    for area in areas:
        if area_value and area_value != (area.name or NO_AREA):
            continue
        tiles = [t for t in area.tiles if not state or t.state == state]
        if tiles:
            shown.append((area, _tiles_html(tiles, states, labels, marks)))
    filters = [
        Filter(
            "area",
            _("区域"),
            area_value,
            (("", _("全部区域")), *((a.name or NO_AREA, a.name or _("未分区")) for a in areas)),
        ),
        Filter("state", _("状态"), state, (("", _("全部状态")), *states.items())),
    ]
    total = queries.SpaceArea(_("全小区"), [t for a in areas for t in a.tiles])
    total.offered_hours = sum(a.offered_hours for a in areas)
    total.booked_hours = sum(a.booked_hours for a in areas)
    context = {
        "areas": areas,
        "total": total,
        "shown": shown,
        "filters": filters,
        "legend": [(STATE_TONES[k], label) for k, label in states.items()],
        "marks": [(marks[k], labels[k]) for k in SpaceKind.values],
        "now": now,
        "days": REPORT_DAYS,
    }
    return console.render(request, "parking/console_spaces.html", context)
