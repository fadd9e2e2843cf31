"""Reads of deliberation (ENG-2): staff's through `restrict(user, engage.view)` (narrowed staff
see their buildings' proposals), a resident's over the community they live in."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.engage.choices_notices import ProposalStatus
from linli.engage.models import Backing, Comment, DeliberationSettings, Proposal, Report
from linli.engage.services.proposals import settings_of, total_area


def is_resident(user, community_id: int) -> bool:
    return community_id in scope_of(user).resident_community_ids


def _visible(user, community_id: int | None = None):
    """Staff's restricted proposals, and every proposal of the communities the user lives in."""
    q = Q(pk__in=Proposal.objects.restrict(user, Action.ENGAGE_VIEW).values("pk"))
    lived = scope_of(user).resident_community_ids
    if lived:
        q |= Q(community_id__in=lived)
    found = Proposal.objects.filter(q)
    if community_id is not None:
        found = found.filter(community_id=community_id)
    return found


def proposals(user, community_id: int, status: str = ""):
    found = _visible(user, community_id)
    if status:
        found = found.filter(status=status)
    mine = Backing.objects.filter(proposal_id=OuterRef("pk"), user_id=getattr(user, "pk", None))
    return found.annotate(backed_by_me=Exists(mine)).order_by("-id")


def proposal(user, proposal_id: int) -> Proposal | None:
    mine = Backing.objects.filter(proposal_id=OuterRef("pk"), user_id=getattr(user, "pk", None))
    return _visible(user).annotate(backed_by_me=Exists(mine)).filter(pk=proposal_id).first()


def moderates(user, proposal: Proposal) -> bool:
    return Proposal.objects.restrict(user, Action.ENGAGE_MODERATE).filter(pk=proposal.pk).exists()


def comments(user, proposal: Proposal) -> list[Comment]:
    """The thread; a hidden post keeps its place with its reason (its text only for moderators)."""
    found = list(Comment.objects.filter(proposal=proposal))
    if not moderates(user, proposal):
        for c in found:
            if c.hidden_at is not None:
                c.body = ""
    return found


def shown_body(user, proposal: Proposal) -> str:
    if proposal.status == ProposalStatus.HIDDEN and not moderates(user, proposal):
        return ""
    return proposal.body


def reports(user, community_id: int):
    """The moderation queue: open reports with what they point at."""
    return (
        Report.objects.restrict(user, Action.ENGAGE_MODERATE)
        .filter(community_id=community_id, resolved_at__isnull=True)
        .select_related("proposal", "comment")
        .order_by("id")
    )


def agenda(user, community_id: int):
    """Agenda items (answered ones too), the ones due first; `overdue` marks those past due."""
    now = timezone.now()
    found = Proposal.objects.restrict(user, Action.ENGAGE_VIEW).filter(
        community_id=community_id, agenda_at__isnull=False
    )
    rows = list(found.order_by("answer_due", "id"))
    for p in rows:
        p.overdue = p.status == ProposalStatus.AGENDA and p.answer_due is not None and p.answer_due < now
    return rows


def overdue_count(user, community_id: int) -> int:
    return (
        Proposal.objects.restrict(user, Action.ENGAGE_VIEW)
        .filter(community_id=community_id, status=ProposalStatus.AGENDA, answer_due__lt=timezone.now())
        .count()
    )


def settings(user, community_id: int) -> DeliberationSettings:
    return settings_of(community_id)


def threshold(proposal: Proposal) -> dict:
    """What the agenda needs: the backed share of the exclusive area and the community's share."""
    total = total_area(proposal.community_id)
    share_bp = settings_of(proposal.community_id).backing_share_bp
    return {
        "backed_area": proposal.backed_area,
        "total_area": total,
        "backed_share": round(float(proposal.backed_area / total), 4) if total else 0.0,
        "needed_share": share_bp / 10000,
    }


def staff_sees(user, proposal: Proposal) -> bool:
    return Proposal.objects.restrict(user, Action.ENGAGE_VIEW).filter(pk=proposal.pk).exists()


def comment_in(proposal: Proposal, comment_id: int) -> bool:
    return Comment.objects.filter(pk=comment_id, proposal=proposal).exists()
