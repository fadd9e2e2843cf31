"""Convention pages. The resident's: the convention in force and its history, my violations
with their evidence and the appeal. The console's: publish a version, record a violation with a
photo, decide appeals."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, staff_view
from linli.engage import queries_convention as queries
from linli.engage.choices_points import AppealDecision, ViolationStatus
from linli.engage.models import Violation
from linli.engage.queries_points import may_read_community
from linli.engage.services import convention
from linli.engage.views.points import _acting, _house, _int
from linli.registry import queries as registry_queries


def _resident(request, template: str, context: dict, back: str = "engage:points_home"):
    return render(request, template, {"tab": "services", "back": reverse(back), **context})


# --- resident ------------------------------------------------------------------------------------


@resident_view
def current(request):
    houses = list(registry_queries.my_houses(request.user))
    history = list(queries.versions(request.user, houses[0].community_id)) if houses else []
    return _resident(
        request,
        "engage/convention/current.html",
        {"current": history[0] if history else None, "history": history[1:]},
    )


@resident_view
def version(request, convention_version_id: int):
    found = queries.version(request.user, convention_version_id)
    if found is None or not may_read_community(request.user, found.community_id):
        raise Http404
    return _resident(request, "engage/convention/version.html", {"version": found}, back="engage:convention")


@resident_view
def my_violations(request):
    return _resident(
        request,
        "engage/convention/my_violations.html",
        {"violations": queries.my_violations(request.user)[:50]},
    )


@resident_view
def my_violation(request, violation_id: int):
    found = queries.my_violations(request.user).filter(pk=violation_id).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:500]
        _acting(
            request,
            lambda: convention.do_appeal(actor=request.user, violation=found, reason=reason),
            _("申诉已提交"),
        )
        return redirect("engage:convention_my_violation", violation_id)
    context = {"v": found, "may_appeal": found.status == ViolationStatus.RECORDED}
    return _resident(
        request, "engage/convention/my_violation.html", context, back="engage:convention_my_violations"
    )


# --- console -----------------------------------------------------------------------------------


@staff_view(Action.ENGAGE_VIEW, "engage_convention")
def console_versions(request, console: Console):
    cid = console.community.id
    if request.method == "POST" and console.may(Action.POINTS_MANAGE):
        post = request.POST
        _acting(
            request,
            lambda: convention.do_publish_convention(
                actor=request.user,
                community_id=cid,
                title=post.get("title", "")[:60],
                body=post.get("body", "")[:20000],
                changes=post.get("changes", "")[:300],
            ),
            _("新版本已发布"),
        )
        return redirect(console.reverse("engage:staff_convention"))
    context = {
        "versions": queries.versions(request.user, cid),
        "may_manage": console.may(Action.POINTS_MANAGE),
    }
    return console.render(request, "engage/convention/console_versions.html", context)


@staff_view(Action.ENGAGE_VIEW, "engage_violations")
def console_violations(request, console: Console):
    cid = console.community.id
    if request.method == "POST" and console.may(Action.POINTS_MANAGE):
        post, upload = request.POST, request.FILES.get("photo")

        def record():
            house = _house(request, console, post.get("house", "")[:60])
            convention.do_record_violation(
                actor=request.user,
                community_id=cid,
                house_id=house.pk,
                article=post.get("article", "")[:20],
                note=post.get("note", "")[:500],
                points=min(_int(post.get("points")) or 0, 10_000),
                photo=upload.read(convention.attachments.MAX_PHOTO_BYTES + 1) if upload else None,
            )

        _acting(request, record, _("已记录，已通知该住户"))
        return redirect(console.reverse("engage:staff_violations"))
    status = request.GET.get("status", "")
    rows, next_url, first_url = page_of(
        request, queries.violations(request.user, cid, status), newest_first=True
    )
    context = {
        "violations": rows,
        "next_url": next_url,
        "first_url": first_url,
        "statuses": ViolationStatus.choices,
        "status": status,
        "may_manage": console.may(Action.POINTS_MANAGE),
    }
    return console.render(request, "engage/convention/console_violations.html", context)


@staff_view(Action.APPEAL_DECIDE, "engage_appeals")
def console_appeals(request, console: Console):
    if request.method == "POST":
        found = (
            Violation.objects.restrict(request.user, Action.APPEAL_DECIDE)
            .filter(pk=_int(request.POST.get("violation")) or 0)
            .first()
        )
        if found is None:
            raise Http404
        post = request.POST
        _acting(
            request,
            lambda: convention.do_decide_appeal(
                actor=request.user,
                violation=found,
                decision=post.get("decision", ""),
                note=post.get("note", "")[:500],
            ),
            _("已处理"),
        )
        return redirect(console.reverse("engage:staff_appeals"))
    found = queries.violations(request.user, console.community.id, ViolationStatus.APPEALED)
    rows, next_url, first_url = page_of(request, found, newest_first=True)
    context = {
        "violations": rows,
        "next_url": next_url,
        "first_url": first_url,
        "decisions": AppealDecision.choices,
    }
    return console.render(request, "engage/convention/console_appeals.html", context)
