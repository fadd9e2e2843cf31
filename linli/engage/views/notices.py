"""Notice pages (ENG-1). The resident's: my notices with the unread badge, a notice with its
files and the confirm button. The console's: compose and target a notice with a preview of the
households it reaches, publish now or at a time, pin; a notice's read rate per building and its
unread households, where the front desk records who was told in person."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.masking import mask_name, mask_phone
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, staff_view
from linli.engage import queries_notices as queries
from linli.engage.choices_notices import Audience, ToldHow
from linli.engage.services import notices as services
from linli.engage.services.notices_audience import Target
from linli.registry import queries as registry_queries
from linli.registry.choices import CareKind

# --- resident --------------------------------------------------------------------------------


@resident_view
def my_notices(request):
    found = list(queries.my_notices(request.user)[:100])
    for n in found:  # what the row says: to confirm, unread, or nothing; urgent in red
        if n.must_confirm and n.household_confirmed_at is None:
            n.badge = _("待确认")
        else:
            n.badge = _("未读") if n.my_read_at is None else ""
        n.tone = "danger" if n.urgent else "brand"
        n.trailing = _("置顶") if n.pinned else ""
    context = {
        "notices": found,
        "unread": queries.my_unread_count(request.user),
        "tab": "messages",
        "back": reverse("web:messages"),
    }
    return render(request, "engage/notices/mine.html", context)


@resident_view
def my_notice(request, notice_id: int):
    try:
        services.do_read_notice(actor=request.user, notice_id=notice_id)
    except ServiceError:
        raise Http404 from None
    found = queries.my_notice(request.user, notice_id)
    if found is None:
        raise Http404
    context = {
        "notice": found,
        "attachments": queries.attachments(found),
        "tab": "messages",
        "back": reverse("engage:notices"),
    }
    return render(request, "engage/notices/notice.html", context)


@require_POST
@resident_view
def my_notice_confirm(request, notice_id: int):
    try:
        services.do_confirm_notice(actor=request.user, notice_id=notice_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已确认收到，谢谢"))
    return redirect("engage:notice", notice_id=notice_id)


# --- console ---------------------------------------------------------------------------------


def _target(request, community_id: int) -> Target:
    def number(name: str) -> int | None:
        raw = request.POST.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    audience = request.POST.get("audience", Audience.RESIDENTS)
    return Target(
        community_id, number("building"), number("unit"), audience, request.POST.get("care_kind", "")
    )


def _compose_context(request, console: Console) -> dict:
    user, community_id = request.user, console.community.id
    buildings = list(registry_queries.buildings(user, community_id))
    return {
        "buildings": buildings,
        "units": list(registry_queries.units_any(user).filter(building__community_id=community_id)),
        "audiences": Audience.choices,
        "care_kinds": CareKind.choices if console.may(Action.CARE_VIEW) else [],
        "posted": request.POST,
    }


@staff_view(Action.ENGAGE_VIEW, "engage_notices")
def console_notices(request, console: Console):
    rows, next_url, first_url = page_of(
        request, queries.notices(request.user, console.community.id), newest_first=True
    )
    context = {
        "notices": rows,
        "next_url": next_url,
        "first_url": first_url,
        "may_publish": console.may(Action.NOTICE_PUBLISH),
    }
    return console.render(request, "engage/notices/console_list.html", context)


def _publish_at(raw: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return timezone.make_aware(at) if at is not None and timezone.is_naive(at) else at


@staff_view(Action.NOTICE_PUBLISH, "engage_notices")
def console_compose(request, console: Console):
    if request.method == "POST" and request.POST.get("title"):
        target = _target(request, console.community.id)
        try:
            notice = services.do_create_notice(
                actor=request.user,
                community_id=console.community.id,
                title=request.POST.get("title", "")[:60],
                body=request.POST.get("body", "")[:4000],
                building_id=target.building_id,
                unit_id=target.unit_id,
                audience=target.audience,
                care_kind=target.care_kind,
                must_confirm=bool(request.POST.get("must_confirm")),
                urgent=bool(request.POST.get("urgent")),
                speakers=bool(request.POST.get("speakers")),
                pinned=bool(request.POST.get("pinned")),
            )
            for upload in request.FILES.getlist("files")[: services.FILES_PER_NOTICE]:
                services.do_attach_file(
                    actor=request.user, notice_id=notice.pk, name=upload.name, data=upload.read()
                )
            done = services.do_publish_notice(
                actor=request.user,
                notice_id=notice.pk,
                publish_at=_publish_at(request.POST.get("publish_at", "")),
            )
        except ServiceError as exc:
            context = {**_compose_context(request, console), "error": exc.message, "fields": exc.fields}
            return console.render(request, "engage/notices/compose.html", context, status=422)
        if done.status == "scheduled":
            messages.success(request, _("已定时发布"))
        else:
            messages.success(request, _("已发布，送达 %(n)s 户") % {"n": done.households})
        return redirect(console.reverse("engage:console_notice", done.pk))
    return console.render(request, "engage/notices/compose.html", _compose_context(request, console))


@staff_view(Action.NOTICE_PUBLISH, "engage_notices")
def console_preview(request, console: Console):
    """How many households the chosen target reaches (htmx swaps the count in as it changes)."""
    target = _target(request, console.community.id)
    try:
        reach, error = queries.preview(services.check_target(target)), ""
    except ServiceError as exc:
        reach, error = None, exc.message
    return render(request, "engage/notices/_preview.html", {"reach": reach, "error": error})


def _unread_rows(request, found) -> tuple[list, str, str]:
    building = request.GET.get("building", "")
    households = queries.unread_households(
        request.user, found, int(building) if building.isdigit() and len(building) < 12 else None
    )
    rows, next_url, first_url = page_of(request, households)
    people = queries.contacts([h.house_id for h in rows])
    for h in rows:
        h.residents = [
            f"{mask_name(o.person.name)} {mask_phone(o.person.phone)}".strip()
            for o in people.get(h.house_id, [])
        ]
    return rows, next_url, first_url


@staff_view(Action.ENGAGE_VIEW, "engage_notices")
def console_notice(request, console: Console, notice_id: int):
    found = queries.notice(request.user, notice_id)
    if found is None or found.community_id != console.community.id:
        raise Http404
    rates = queries.building_rates(request.user, found)
    rows, next_url, first_url = _unread_rows(request, found)
    context = {
        "notice": found,
        "rates": rates,
        "total": queries.totals(rates),
        "unread": rows,
        "next_url": next_url,
        "first_url": first_url,
        "told": list(queries.told_households(request.user, found)[:50]),
        "attachments": queries.attachments(found),
        "ways": ToldHow.choices,
        "may_publish": console.may(Action.NOTICE_PUBLISH),
    }
    return console.render(request, "engage/notices/console_notice.html", context)


@require_POST
@staff_view(Action.NOTICE_PUBLISH, "engage_notices")
def console_told(request, console: Console, notice_id: int):
    found = queries.notice(request.user, notice_id)
    house = request.POST.get("house", "")
    if found is None or found.community_id != console.community.id:
        raise Http404
    if house.isdigit() and len(house) < 12:
        try:
            services.do_record_told(
                actor=request.user,
                notice_id=found.pk,
                house_id=int(house),
                how=request.POST.get("how", ""),
                note=request.POST.get("note", "")[:200],
            )
            messages.success(request, _("已登记当面告知"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    return redirect(console.reverse("engage:console_notice", found.pk))


@require_POST
@staff_view(Action.NOTICE_PUBLISH, "engage_notices")
def console_pin(request, console: Console, notice_id: int):
    found = queries.notice(request.user, notice_id)
    if found is None or found.community_id != console.community.id:
        raise Http404
    if "pinned" in request.POST:
        try:
            services.do_pin_notice(
                actor=request.user, notice_id=found.pk, pinned=request.POST["pinned"] == "1"
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    return redirect(console.reverse("engage:console_notice", found.pk))
