"""Activity, yellow-pages and mutual-help pages. The resident's: activities with sign-up,
cancel and the check-in QR code; the yellow pages; mutual help (post, reply, "I can help",
close, report). The console's: activities with their registrations and waiting list, the
check-in page at the door (a scanner types the code into the focused field, or staff type it),
the yellow-pages editor and the mutual-help moderation queue."""

import segno
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.masking import mask_name
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, staff_view
from linli.engage import queries_activities as queries
from linli.engage.choices_surveys import ActivityStatus, DirectoryCategory, HelpKind, RegistrationStatus
from linli.engage.models import DirectoryEntry
from linli.engage.services import activities as services
from linli.engage.services import activities_neighbours as neighbours
from linli.registry import queries as registry_queries


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _resident(request, extra: dict) -> dict:
    return {"tab": "services", "back": reverse("web:services"), **extra}


# --- resident: activities --------------------------------------------------------------------


@resident_view
def my_activities(request):
    mine = {r.activity_id: r for r in queries.my_registrations(request.user).filter(status__in=services.LIVE)}
    found = queries.resident_activities(request.user).filter(ends_at__gte=timezone.now())
    context = _resident(request, {"activities": [(a, mine.get(a.pk)) for a in found]})
    return render(request, "engage/activities/resident_list.html", context)


@resident_view
def activity(request, activity_id: int):
    found = queries.resident_activities(request.user).filter(pk=activity_id).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        _sign_up_or_cancel(request, found)
        return redirect("engage:activity", found.pk)
    mine = queries.my_registration(request.user, found)
    qr = None
    if mine is not None and mine.status == RegistrationStatus.CONFIRMED and mine.checked_in_at is None:
        code = segno.make(services.checkin_code(mine), error="m")
        qr = code.svg_inline(scale=4, border=2, omitsize=True, light="#fff")
    context = {
        "activity": found,
        "mine": mine,
        "position": queries.waiting_position(mine) if mine else None,
        "qr": qr,
        "party_sizes": range(1, found.max_party + 1),
        "tab": "services",
        "back": reverse("engage:activities"),
    }
    return render(request, "engage/activities/resident_activity.html", context)


def _sign_up_or_cancel(request, found) -> None:
    try:
        if request.POST.get("action") == "cancel":
            mine = queries.my_registration(request.user, found)
            if mine is None:
                raise Http404
            services.do_cancel_registration(actor=request.user, registration=mine)
            messages.success(request, _("已取消报名"))
            return
        registration = services.do_sign_up(
            actor=request.user, activity=found, party_size=_int(request.POST.get("party_size", "")) or 1
        )
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("报名成功，活动当天请出示签到码"))
        else:
            messages.info(request, _("名额已满，您已进入候补，有人取消时将自动递补并通知您"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))


# --- resident: yellow pages and mutual help ---------------------------------------------------


@resident_view
def directory(request):
    entries = list(queries.directory(request.user))
    groups = {label: [e for e in entries if e.category == code] for code, label in DirectoryCategory.choices}
    context = _resident(request, {"groups": [(label, rows) for label, rows in groups.items() if rows]})
    return render(request, "engage/activities/resident_directory.html", context)


@resident_view
def help_posts(request):
    houses = list(registry_queries.my_houses(request.user))
    if request.method == "POST" and houses:
        try:
            post = neighbours.do_post_help(
                actor=request.user,
                community_id=houses[0].community_id,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
            messages.success(request, _("已发布"))
            return redirect("engage:help_post", post.pk)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
    rows, next_url, first_url = page_of(request, queries.help_posts(request.user), newest_first=True)
    context = _resident(
        request,
        {
            "posts": [(p, mask_name(p.author_name)) for p in rows],
            "next_url": next_url,
            "first_url": first_url,
            "kinds": HelpKind.choices,
            "may_post": bool(houses),
        },
    )
    return render(request, "engage/activities/resident_help.html", context)


@resident_view
def help_post(request, help_post_id: int):
    post = queries.visible_help_post(request.user, help_post_id)
    if post is None:
        raise Http404
    if request.method == "POST":
        _help_action(request, post)
        return redirect("engage:help_post", post.pk)
    context = {
        "post": post,
        "author": mask_name(post.author_name),
        "mine": post.author_id == request.user.pk,
        "replies": [(r, mask_name(r.author_name)) for r in post.replies.all()],
        "tab": "services",
        "back": reverse("engage:help_posts"),
    }
    return render(request, "engage/activities/resident_help_post.html", context)


def _help_action(request, post) -> None:
    action, post_data = request.POST.get("action", ""), request.POST
    try:
        if action == "close":
            neighbours.do_close_help(actor=request.user, post=post)
            messages.success(request, _("已结束"))
        elif action == "report":
            neighbours.do_report_help(actor=request.user, post=post, reason=post_data.get("reason", ""))
            messages.success(request, _("已举报，工作人员会尽快处理"))
        else:
            neighbours.do_reply_help(
                actor=request.user,
                post=post,
                body=post_data.get("body", "") or (_("我可以帮忙") if action == "offer" else ""),
                offers_help=action == "offer",
            )
    except ServiceError as exc:
        messages.error(request, str(exc.message))


# --- console ---------------------------------------------------------------------------------


@staff_view(Action.ENGAGE_VIEW, "engage_activities")
def console_activities(request, console: Console):
    if request.method == "POST":
        return _create_activity(request, console)
    context = {
        "activities": list(queries.community_activities(request.user, console.community.id)),
        "may_run": console.may(Action.ENGAGE_RUN),
    }
    return console.render(request, "engage/activities/console_list.html", context)


def _create_activity(request, console: Console):
    post = request.POST
    tz = timezone.get_current_timezone()
    try:
        starts = timezone.datetime.fromisoformat(post.get("starts", "")).replace(tzinfo=tz)
        ends = timezone.datetime.fromisoformat(post.get("ends", "")).replace(tzinfo=tz)
    except ValueError:
        messages.error(request, _("请填写开始和结束时间"))
        return redirect(console.reverse("engage:staff_activities"))
    try:
        created = services.do_create_activity(
            actor=request.user,
            community_id=console.community.id,
            title=post.get("title", ""),
            description=post.get("description", ""),
            place=post.get("place", ""),
            starts_at=starts,
            ends_at=ends,
            capacity=_int(post.get("capacity", "")) or 0,
            max_party=_int(post.get("max_party", "")) or 0,
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(console.reverse("engage:staff_activities"))
    return redirect(console.reverse("engage:staff_activity", created.pk))


def _staff_activity(request, console: Console, activity_id: int):
    found = queries.activities(request.user).filter(community_id=console.community.id, pk=activity_id).first()
    if found is None:
        raise Http404
    return found


@staff_view(Action.ENGAGE_VIEW, "engage_activities")
def console_activity(request, console: Console, activity_id: int):
    found = _staff_activity(request, console, activity_id)
    if request.method == "POST":
        _cancel(request, found)
        return redirect(console.reverse("engage:staff_activity", found.pk))
    rows = list(queries.registrations(request.user, found))
    context = {
        "activity": found,
        "confirmed": [(r, mask_name(r.name)) for r in rows if r.status == RegistrationStatus.CONFIRMED],
        "waiting": [(r, mask_name(r.name)) for r in rows if r.status == RegistrationStatus.WAITING],
        "counts": queries.headcounts(found),
        "may_run": console.may(Action.ENGAGE_RUN),
        "may_cancel": console.may(Action.ENGAGE_RUN) and found.status == ActivityStatus.OPEN,
    }
    return console.render(request, "engage/activities/console_activity.html", context)


def _cancel(request, found) -> None:
    """Staff (engage.run) cancel one sign-up for the resident (代办) or the whole activity."""
    try:
        if request.POST.get("action") == "cancel_activity":
            services.do_cancel_activity(
                actor=request.user, activity=found, reason=request.POST.get("reason", "")[:200]
            )
            messages.success(request, _("活动已取消，已通知所有报名的住户"))
            return
        registration = queries.registration_for(request.user, _int(request.POST.get("registration", "")) or 0)
        if registration is None or registration.activity_id != found.pk:
            raise Http404
        promoted = services.do_cancel_registration(actor=request.user, registration=registration)
        messages.success(
            request, _("已取消该报名并通知住户") if not promoted else _("已取消该报名，候补已递补并通知")
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))


@staff_view(Action.ENGAGE_RUN, "engage_activities")
def console_check_in(request, console: Console, activity_id: int):
    found = _staff_activity(request, console, activity_id)
    done, error, status = None, None, 200
    if request.method == "POST":
        try:
            done = services.do_check_in(actor=request.user, activity=found, code=request.POST.get("code", ""))
        except ServiceError as exc:
            error, status = exc, 422
    context = {
        "activity": found,
        "done": done,
        "done_name": mask_name(done.name) if done else "",
        "error": error,
        "attended": len(queries.attended(found.pk)),
    }
    return console.render(request, "engage/activities/console_check_in.html", context, status=status)


@staff_view(Action.ENGAGE_VIEW, "engage_directory")
def console_directory(request, console: Console):
    community_id = console.community.id
    if request.method == "POST":
        _save_entry(request, console)
        return redirect(console.reverse("engage:staff_directory"))
    context = {
        "entries": list(queries.directory(request.user, community_id)),
        "categories": DirectoryCategory.choices,
        "may_run": console.may(Action.ENGAGE_RUN),
    }
    return console.render(request, "engage/activities/console_directory.html", context)


def _save_entry(request, console: Console) -> None:
    post = request.POST
    entry: DirectoryEntry | None = None
    if _int(post.get("entry", "")):
        entry = queries.directory_entry(request.user, int(post["entry"]))
        if entry is None or entry.community_id != console.community.id:
            raise Http404
    try:
        if entry is not None and post.get("action") == "delete":
            neighbours.do_delete_entry(actor=request.user, entry=entry)
            return
        values = {k: post.get(k, "") for k in ("name", "category", "phone", "address", "hours")}
        values["order"] = _int(post.get("order", "")) or 0
        neighbours.do_save_entry(
            actor=request.user, community_id=console.community.id, values=values, entry=entry
        )
        messages.success(request, _("已保存"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))


@staff_view(Action.ENGAGE_MODERATE, "engage_help")
def console_help(request, console: Console):
    if request.method == "POST":
        post = queries.help_post_for(request.user, _int(request.POST.get("post", "")) or 0)
        if post is None or post.community_id != console.community.id:
            raise Http404
        try:
            neighbours.do_hide_help(actor=request.user, post=post, reason=request.POST.get("reason", ""))
            messages.success(request, _("已隐藏并通知发帖人"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect(console.reverse("engage:staff_help"))
    posts = queries.help_posts_to_moderate(request.user, console.community.id)[:100]
    context = {"posts": [(p, mask_name(p.author_name)) for p in posts]}
    return console.render(request, "engage/activities/console_help.html", context)
