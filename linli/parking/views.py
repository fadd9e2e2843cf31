"""Parking's pages. The resident's: shared spaces open for a chosen time (search), an offer
with its coming week's free spaces and the booking form, and my bookings with cancel. The
console's: the community's offers with their occupancy and income over the last 30 days and the
shared-use rate, and its bookings (plates masked)."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.parking import queries, services
from linli.parking.windows import TZ
from linli.registry import queries as registry_queries

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
    if request.method == "POST":
        booking = queries.booking_for(request.user, int(request.POST.get("booking") or 0))
        if booking is None or booking.booker_id != request.user.pk:
            raise Http404
        try:
            services.do_cancel_booking(actor=request.user, booking=booking)
            messages.success(request, _("已取消预约"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("parking:bookings")
    context = {
        "bookings": list(queries.my_bookings(request.user)[:50]),
        "tab": "services",
        "back": reverse("parking:offers"),
    }
    return render(request, "parking/resident_bookings.html", context)


# --- console --------------------------------------------------------------------------------------


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
