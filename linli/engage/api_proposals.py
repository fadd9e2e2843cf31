"""/api/v1/engage: deliberation (ENG-2) — proposals, their threads, backing by owners, reports;
for staff the moderation queue, hiding with a reason, official replies, the agenda and the
community's rules (backing share, answer days, banned words). Thin: reads through
queries_proposals, writes through services.proposals (docs/engage.md)."""

from django.http import Http404
from ninja import Router, Status

from linli.core.http import community_for
from linli.core.masking import mask_name
from linli.core.roles import Action
from linli.core.schema_types import Id, Text
from linli.engage import queries_proposals as queries
from linli.engage.choices_notices import ProposalStatus
from linli.engage.models import Comment, Proposal
from linli.engage.schemas_proposals import (
    DeliberationSettingsIn,
    DeliberationSettingsOut,
    ProposalCommentIn,
    ProposalCommentOut,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ProposalReasonIn,
    ProposalReportIn,
    ProposalReportOut,
)
from linli.engage.services import proposals as services

# A status to filter by (anything else lists them all).
StatusFilter = Text(20, pattern=r"^[a-z_]*$")

router = Router(tags=["engage"])


def proposal_out(user, p: Proposal) -> dict:
    return {
        "id": p.pk,
        "title": p.title,
        "body": queries.shown_body(user, p),
        "author": mask_name(p.author_name),
        "status": p.status,
        "hidden_reason": p.hidden_reason,
        "backers": p.backers,
        "backed_area": p.backed_area,
        "backed_by_me": bool(getattr(p, "backed_by_me", False)),
        "agenda_at": p.agenda_at,
        "answer_due": p.answer_due,
        "answered_at": p.answered_at,
        "overdue": bool(getattr(p, "overdue", False)),
        "created_at": p.created_at,
    }


def comment_out(c: Comment) -> dict:
    return {
        "id": c.pk,
        "author": c.author_name if c.answerer else mask_name(c.author_name),
        "body": c.body,
        "answerer": c.answerer,
        "hidden": c.hidden_at is not None,
        "hidden_reason": c.hidden_reason,
        "created_at": c.created_at,
    }


def detail_out(user, p: Proposal) -> dict:
    return {
        **proposal_out(user, p),
        **{k: float(v) for k, v in queries.threshold(p).items() if k in ("backed_share", "needed_share")},
        "comments": [comment_out(c) for c in queries.comments(user, p)],
    }


def _proposal(request, proposal_id: int) -> Proposal:
    found = queries.proposal(request.user, proposal_id)
    if found is None:
        raise Http404
    return found


def _community(request, community_id: int) -> None:
    """Residents of the community and its staff (engage.view) may read its proposals."""
    if not queries.is_resident(request.user, community_id):
        community_for(request, community_id, Action.ENGAGE_VIEW)


# --- fixed paths first ----------------------------------------------------------------------------
@router.get("/communities/{community_id}/proposals", response=list[ProposalOut])
def proposal_list(request, community_id: Id, status: StatusFilter = ""):  # type: ignore[valid-type]
    """Every proposal of the community with its status (a hidden one without its text)."""
    _community(request, community_id)
    chosen = status if status in ProposalStatus.values else ""
    return [
        proposal_out(request.user, p) for p in queries.proposals(request.user, community_id, chosen)[:200]
    ]


@router.post("/communities/{community_id}/proposals", response={201: ProposalOut})
def proposal_post(request, community_id: Id, payload: ProposalIn):
    """A resident's proposal; 403 `not_a_resident`, 400 `banned_words`."""
    done = services.do_post_proposal(actor=request.user, community_id=community_id, **payload.dict())
    return Status(201, proposal_out(request.user, done))


@router.get("/communities/{community_id}/proposals/agenda", response=list[ProposalOut])
def proposal_agenda(request, community_id: Id):
    """Agenda items with their answer dates, overdue ones flagged."""
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return [proposal_out(request.user, p) for p in queries.agenda(request.user, community_id)]


@router.get("/communities/{community_id}/proposals/reports", response=list[ProposalReportOut])
def proposal_reports(request, community_id: Id):
    """The moderation queue: open reports."""
    community_for(request, community_id, Action.ENGAGE_MODERATE)
    return [
        {
            "id": r.pk,
            "proposal_id": r.proposal_id,
            "comment_id": r.comment_id,
            "reason": r.reason,
            "content": r.comment.body if r.comment_id else r.proposal.title,
            "created_at": r.created_at,
        }
        for r in queries.reports(request.user, community_id)[:200]
    ]


@router.get("/communities/{community_id}/deliberation-settings", response=DeliberationSettingsOut)
def deliberation_settings(request, community_id: Id):
    community_for(request, community_id, Action.ENGAGE_VIEW)
    return queries.settings(request.user, community_id)


@router.put("/communities/{community_id}/deliberation-settings", response=DeliberationSettingsOut)
def deliberation_settings_update(request, community_id: Id, payload: DeliberationSettingsIn):
    """The backing share (basis points of the exclusive area), answer days and banned words."""
    community_for(request, community_id, Action.ENGAGE_MODERATE)
    return services.do_update_deliberation_settings(
        actor=request.user, community_id=community_id, **payload.dict()
    )


@router.get("/proposals/{proposal_id}", response=ProposalDetailOut)
def proposal_detail(request, proposal_id: Id):
    return detail_out(request.user, _proposal(request, proposal_id))


@router.post("/proposals/{proposal_id}/comments", response={201: ProposalCommentOut})
def proposal_comment(request, proposal_id: Id, payload: ProposalCommentIn):
    """A resident's post (tenants too); 400 `banned_words`, 409 `proposal_closed`."""
    return Status(
        201, comment_out(services.do_comment(actor=request.user, proposal_id=proposal_id, body=payload.body))
    )


@router.post("/proposals/{proposal_id}/back", response=ProposalOut)
def proposal_back(request, proposal_id: Id):
    """An owner backs it for each house they own (once per house); 403 `not_an_owner`, 409
    `already_backed`, `not_open`. Reaching the share makes it an agenda item."""
    services.do_back(actor=request.user, proposal_id=proposal_id)
    return proposal_out(request.user, _proposal(request, proposal_id))


@router.post("/proposals/{proposal_id}/report", response={201: ProposalReportOut})
def proposal_report(request, proposal_id: Id, payload: ProposalReportIn):
    done = services.do_report(actor=request.user, proposal_id=proposal_id, reason=payload.reason)
    return Status(201, {**done.__dict__, "id": done.pk, "content": ""})


@router.post("/proposals/{proposal_id}/reply", response={201: ProposalCommentOut})
def proposal_reply(request, proposal_id: Id, payload: ProposalCommentIn):
    """An official reply, marked by whom it speaks for (the staff member's role); the committee's
    reply answers an agenda item."""
    return Status(
        201, comment_out(services.do_reply(actor=request.user, proposal_id=proposal_id, body=payload.body))
    )


@router.post("/proposals/{proposal_id}/hide", response=ProposalOut)
def proposal_hide(request, proposal_id: Id, payload: ProposalReasonIn):
    done = services.do_hide_proposal(actor=request.user, proposal_id=proposal_id, reason=payload.reason)
    return proposal_out(request.user, done)


@router.post("/proposals/{proposal_id}/unhide", response=ProposalOut)
def proposal_unhide(request, proposal_id: Id, payload: ProposalReasonIn):
    done = services.do_unhide_proposal(actor=request.user, proposal_id=proposal_id, reason=payload.reason)
    return proposal_out(request.user, done)


@router.post("/proposals/{proposal_id}/close", response=ProposalOut)
def proposal_close(request, proposal_id: Id):
    return proposal_out(request.user, services.do_close_proposal(actor=request.user, proposal_id=proposal_id))


@router.post("/proposal-comments/{comment_id}/report", response={201: ProposalReportOut})
def comment_report(request, comment_id: Id, payload: ProposalReportIn):
    done = services.do_report(
        actor=request.user,
        proposal_id=services.comment_proposal(comment_id),
        comment_id=comment_id,
        reason=payload.reason,
    )
    return Status(201, {**done.__dict__, "id": done.pk, "content": ""})


@router.post("/proposal-comments/{comment_id}/hide", response=ProposalCommentOut)
def comment_hide(request, comment_id: Id, payload: ProposalReasonIn):
    return comment_out(
        services.do_hide_comment(actor=request.user, comment_id=comment_id, reason=payload.reason)
    )


@router.post("/proposal-comments/{comment_id}/unhide", response=ProposalCommentOut)
def comment_unhide(request, comment_id: Id, payload: ProposalReasonIn):
    return comment_out(
        services.do_unhide_comment(actor=request.user, comment_id=comment_id, reason=payload.reason)
    )


@router.post("/proposal-reports/{report_id}/dismiss", response=ProposalReportOut)
def report_dismiss(request, report_id: Id):
    """The moderator keeps the content; the report leaves the queue."""
    done = services.do_dismiss_report(actor=request.user, report_id=report_id)
    return {**done.__dict__, "id": done.pk, "content": ""}
