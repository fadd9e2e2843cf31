"""Deliberation pages (ENG-2). The resident's: the community's proposals with their statuses,
one with its thread (comment, back it, report a post), a new proposal. The console's: the
proposals and the agenda with answer dates (overdue flagged), a proposal's thread with official
reply and moderation, and the moderation queue with the community's rules."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.masking import mask_name
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.engage import queries_proposals as queries
from linli.engage.choices_notices import Answerer, ProposalStatus
from linli.engage.services import proposals as services


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _named(rows):
    for row in rows:  # residents see each other masked; an official reply names its role
        row.shown_author = row.author_name if getattr(row, "answerer", "") else mask_name(row.author_name)
    return rows


def _home_community(user) -> int | None:
    lived = sorted(scope_of(user).resident_community_ids)
    return lived[0] if lived else None


# --- resident --------------------------------------------------------------------------------


@resident_view
def my_proposals(request):
    community_id = _home_community(request.user)
    found = list(queries.proposals(request.user, community_id)[:100]) if community_id else []
    context = {"proposals": _named(found), "tab": "services", "back": reverse("web:services")}
    return render(request, "engage/proposals/list.html", context)


@resident_view
def proposal_new(request):
    community_id = _home_community(request.user)
    error, fields = "", {}
    if request.method == "POST" and community_id is not None and "title" in request.POST:
        try:
            done = services.do_post_proposal(
                actor=request.user,
                community_id=community_id,
                title=request.POST.get("title", "")[:60],
                body=request.POST.get("body", "")[:4000],
            )
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, _("议题已发布"))
            return redirect("engage:proposal", proposal_id=done.pk)
    context = {
        "error": error,
        "fields": fields,
        "posted": request.POST,
        "may_post": community_id is not None,
        "back": reverse("engage:proposals"),
        "tab": "services",
    }
    return render(request, "engage/proposals/new.html", context, status=422 if error else 200)


@resident_view
def proposal(request, proposal_id: int):
    found = queries.proposal(request.user, proposal_id)
    if found is None or not queries.is_resident(request.user, found.community_id):
        raise Http404
    _named([found])
    context = {
        "proposal": found,
        "body": queries.shown_body(request.user, found),
        "comments": _named(queries.comments(request.user, found)),
        "threshold": queries.threshold(found),
        "back": reverse("engage:proposals"),
        "tab": "services",
    }
    return render(request, "engage/proposals/detail.html", context)


@require_POST
@resident_view
def proposal_act(request, proposal_id: int):
    """Comment, back, or report (the proposal or one post), then back to the proposal."""
    user, action = request.user, request.POST.get("action", "")
    try:
        if action == "comment":
            services.do_comment(actor=user, proposal_id=proposal_id, body=request.POST.get("body", "")[:2000])
            messages.success(request, _("发言已发布"))
        elif action == "back":
            done = services.do_back(actor=user, proposal_id=proposal_id)
            messages.success(
                request, _("已联署") if done.status == ProposalStatus.OPEN else _("已联署，议题已列入议程")
            )
        elif action == "report":
            services.do_report(
                actor=user,
                proposal_id=proposal_id,
                comment_id=_id(request.POST.get("comment", "")),
                reason=request.POST.get("reason", "")[:200] or _("不当内容"),
            )
            messages.success(request, _("已举报，管理员会尽快处理"))
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, str(exc.message))
    return redirect("engage:proposal", proposal_id=proposal_id)


# --- console ---------------------------------------------------------------------------------


@staff_view(Action.ENGAGE_VIEW, "engage_proposals")
def console_proposals(request, console: Console):
    community_id = console.community.id
    status = request.GET.get("status", "")
    context = {
        "proposals": _named(
            list(
                queries.proposals(
                    request.user, community_id, status if status in ProposalStatus.values else ""
                )[:200]
            )
        ),
        "agenda": _named(queries.agenda(request.user, community_id)),
        "statuses": ProposalStatus.choices,
        "status": status,
    }
    return console.render(request, "engage/proposals/console_list.html", context)


def _staff_proposal(request, console: Console, proposal_id: int):
    found = queries.proposal(request.user, proposal_id)
    if (
        found is None
        or found.community_id != console.community.id
        or not queries.staff_sees(request.user, found)
    ):
        raise Http404
    return found


@staff_view(Action.ENGAGE_VIEW, "engage_proposals")
def console_proposal(request, console: Console, proposal_id: int):
    found = _staff_proposal(request, console, proposal_id)
    context = {
        "proposal": found,
        "author": mask_name(found.author_name),
        "comments": _named(queries.comments(request.user, found)),
        "threshold": queries.threshold(found),
        "moderates": queries.moderates(request.user, found),
        "answerer": Answerer(services.answerer_of(request.user, found.community_id)).label,
    }
    return console.render(request, "engage/proposals/console_detail.html", context)


@require_POST
@staff_view(Action.ENGAGE_MODERATE, "engage_proposals")
def console_proposal_act(request, console: Console, proposal_id: int):
    """Official reply, hide/unhide/close the proposal, hide/unhide a post."""
    found = _staff_proposal(request, console, proposal_id)
    user, action, reason = request.user, request.POST.get("action", ""), request.POST.get("reason", "")[:200]
    comment_id = _id(request.POST.get("comment", ""))
    acts = {
        "reply": lambda: services.do_reply(
            actor=user, proposal_id=found.pk, body=request.POST.get("body", "")[:2000]
        ),
        "hide": lambda: services.do_hide_proposal(actor=user, proposal_id=found.pk, reason=reason),
        "unhide": lambda: services.do_unhide_proposal(actor=user, proposal_id=found.pk, reason=reason),
        "close": lambda: services.do_close_proposal(actor=user, proposal_id=found.pk),
    }
    try:
        if action in acts:
            acts[action]()
            messages.success(request, _("已完成"))
        elif action in ("hide_comment", "unhide_comment") and comment_id is not None:
            if not queries.comment_in(found, comment_id):
                raise Http404
            act = services.do_hide_comment if action == "hide_comment" else services.do_unhide_comment
            act(actor=user, comment_id=comment_id, reason=reason)
            messages.success(request, _("已完成"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect(console.reverse("engage:console_proposal", found.pk))


@staff_view(Action.ENGAGE_MODERATE, "engage_moderation")
def console_moderation(request, console: Console):
    """The reports to look at, and the community's rules: banned words, backing share, days."""
    community_id = console.community.id
    if request.method == "POST" and "banned_words" in request.POST:
        try:
            share = request.POST.get("share_percent", "5")
            services.do_update_deliberation_settings(
                actor=request.user,
                community_id=community_id,
                backing_share_bp=round(float(share) * 100) if share.replace(".", "", 1).isdigit() else 0,
                answer_days=_id(request.POST.get("answer_days", "")) or 0,
                banned_words=request.POST.get("banned_words", "")[:5000].split(),
            )
            messages.success(request, _("议事规则已保存"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect(console.reverse("engage:console_moderation"))
    rules = queries.settings(request.user, community_id)
    context = {
        "reports": list(queries.reports(request.user, community_id)[:200]),
        "rules": rules,
        "share_percent": rules.backing_share_bp / 100,
        "banned": " ".join(rules.banned_words),
    }
    return console.render(request, "engage/proposals/console_moderation.html", context)


@require_POST
@staff_view(Action.ENGAGE_MODERATE, "engage_moderation")
def console_dismiss(request, console: Console, report_id: int):
    if not queries.reports(request.user, console.community.id).filter(pk=report_id).exists():
        raise Http404
    try:
        services.do_dismiss_report(actor=request.user, report_id=report_id)
        messages.success(request, _("已保留该内容"))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect(console.reverse("engage:console_moderation"))
