"""Writes of deliberation (ENG-2): proposals and their threads, reports and moderation, official
replies, settings, and owners' backing that puts a proposal on the committee's agenda.

Residents of the community post and discuss (tenants included); only owners back, once per
house, with the house's registered area. When the backed area reaches the community's share of
the total exclusive area (5% unless set), the proposal becomes an agenda item that the owners'
committee must answer within the community's days; an unanswered one past its date is overdue.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.permissions import require
from linli.core.restrict import scope_of
from linli.core.roles import Action, Role
from linli.engage.choices_notices import Answerer, ProposalStatus
from linli.engage.models import Backing, Comment, DeliberationSettings, Proposal, Report
from linli.registry.choices import OWNING
from linli.registry.models import House, Occupancy

MAX_BANNED_WORDS = 200


def settings_of(community_id: int) -> DeliberationSettings:
    """The community's rules, or the defaults when it never set any (nothing is written)."""
    return DeliberationSettings.objects.filter(community_id=community_id).first() or DeliberationSettings(
        community_id=community_id
    )


def _residence(actor: Actor, community_id: int) -> Occupancy:
    """The actor's home in the community (owning ones first); residents only."""
    found = (
        Occupancy.objects.active()
        .filter(person__user_id=actor.pk, house__community_id=community_id)
        .select_related("person", "house")
        .order_by("-lives_here", "id")
        .first()
    )
    if found is None:
        raise Forbidden(_("只有本小区的住户才能参与议事"), code="not_a_resident")
    return found


def _refuse_banned(community_id: int, **texts: str) -> None:
    words = [w for w in settings_of(community_id).banned_words if w]
    for field, text in texts.items():
        lowered = text.lower()
        for word in words:
            if word.lower() in lowered:
                raise ServiceError(
                    "banned_words",
                    _("内容含有不允许使用的词语「%(word)s」，请修改后再发布") % {"word": word},
                    fields={field: _("含有禁用词「%(word)s」") % {"word": word}},
                )


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError("empty_text", _("内容不能为空"), fields={field: _("必填")})
    return value


@transaction.atomic
def do_post_proposal(*, actor: Actor, community_id: int, title: str, body: str) -> Proposal:
    home = _residence(actor, community_id)
    title, body = _text(title, "title"), _text(body, "body")
    _refuse_banned(community_id, title=title, body=body)
    proposal = Proposal.objects.create(
        community_id=community_id,
        building_id=home.house.building_id,
        author=actor,
        author_name=home.person.name,
        title=title,
        body=body,
    )
    audit.record(actor=actor, action="engage.proposal_post", obj=proposal, community_id=community_id)
    return proposal


def _proposal(proposal_id: int, *, lock: bool = False) -> Proposal:
    found = Proposal.objects.select_for_update() if lock else Proposal.objects
    proposal = found.filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound()
    return proposal


def _resident_proposal(actor: Actor, proposal_id: int, *, lock: bool = False) -> tuple[Proposal, Occupancy]:
    """A proposal of a community the actor lives in (else it does not exist for them)."""
    proposal = _proposal(proposal_id, lock=lock)
    if proposal.community_id not in scope_of(actor).resident_community_ids:
        raise NotFound()
    return proposal, _residence(actor, proposal.community_id)


@transaction.atomic
def do_comment(*, actor: Actor, proposal_id: int, body: str) -> Comment:
    proposal, home = _resident_proposal(actor, proposal_id)
    if proposal.status in (ProposalStatus.CLOSED, ProposalStatus.HIDDEN):
        raise Conflict("proposal_closed", _("该议题已关闭或已隐藏，不能再发言"))
    body = _text(body, "body")
    _refuse_banned(proposal.community_id, body=body)
    comment = Comment.objects.create(
        proposal=proposal,
        community_id=proposal.community_id,
        building_id=proposal.building_id,
        author=actor,
        author_name=home.person.name,
        body=body,
    )
    audit.record(actor=actor, action="engage.comment_post", obj=comment, community_id=proposal.community_id)
    return comment


@transaction.atomic
def do_report(*, actor: Actor, proposal_id: int, reason: str, comment_id: int | None = None) -> Report:
    proposal, _home = _resident_proposal(actor, proposal_id)
    if comment_id is not None and not Comment.objects.filter(pk=comment_id, proposal=proposal).exists():
        raise NotFound()
    reason = _text(reason, "reason")[:200]
    try:
        with transaction.atomic():
            report = Report.objects.create(
                community_id=proposal.community_id,
                building_id=proposal.building_id,
                proposal=proposal,
                comment_id=comment_id,
                reporter=actor,
                reason=reason,
            )
    except IntegrityError:
        raise Conflict("already_reported", _("您已举报过该内容，管理员会尽快处理")) from None
    audit.record(actor=actor, action="engage.report", obj=report, community_id=proposal.community_id)
    return report


def comment_proposal(comment_id: int) -> int:
    """The proposal a comment is posted under (for a route that names the comment only)."""
    found = Comment.objects.filter(pk=comment_id).values_list("proposal_id", flat=True).first()
    if found is None:
        raise NotFound()
    return found


# --- backing and the agenda ----------------------------------------------------------------------


def total_area(community_id: int) -> Decimal:
    """The community's exclusive area: every registered house's area."""
    return House.objects.filter(community_id=community_id).aggregate(s=Sum("area"))["s"] or Decimal(0)


def reaches_threshold(backed: Decimal, total: Decimal, share_bp: int) -> bool:
    """backed / total ≥ share (in basis points), in exact decimals."""
    return total > 0 and backed * 10000 >= total * share_bp


@transaction.atomic
def do_back(*, actor: Actor, proposal_id: int) -> Proposal:
    """An owner backs the proposal for each house they own in the community not backed yet."""
    proposal, _home = _resident_proposal(actor, proposal_id, lock=True)
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict("not_open", _("该议题不在讨论中，不能再联署"))
    owned = list(
        Occupancy.objects.active()
        .filter(person__user_id=actor.pk, house__community_id=proposal.community_id, relation__in=OWNING)
        .values_list("house_id", "house__area")
        .distinct()
    )
    if not owned:
        raise Forbidden(_("只有业主才能联署议题，租客可以参与讨论"), code="not_an_owner")
    backed = set(Backing.objects.filter(proposal=proposal).values_list("house_id", flat=True))
    new = [
        Backing(proposal=proposal, house_id=h, user_id=actor.pk, area=a) for h, a in owned if h not in backed
    ]
    if not new:
        raise Conflict("already_backed", _("您的房屋已联署过该议题（每户一次）"))
    Backing.objects.bulk_create(new)
    summed = Backing.objects.filter(proposal=proposal).aggregate(n=Count("id"), area=Sum("area"))
    backers, area = summed["n"], summed["area"] or Decimal(0)
    Proposal.objects.filter(pk=proposal.pk).update(
        backers=backers, backed_area=area, updated_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="engage.proposal_back",
        obj=proposal,
        community_id=proposal.community_id,
        after={"houses": [b.house_id for b in new]},
    )
    rules = settings_of(proposal.community_id)
    if reaches_threshold(area, total_area(proposal.community_id), rules.backing_share_bp):
        now = timezone.now()
        if Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.OPEN).update(
            status=ProposalStatus.AGENDA, agenda_at=now, answer_due=now + timedelta(days=rules.answer_days)
        ):
            audit.record(
                actor=None, action="engage.proposal_agenda", obj=proposal, community_id=proposal.community_id
            )
    proposal.refresh_from_db()
    return proposal


# --- staff: official replies and moderation -------------------------------------------------------


def answerer_of(actor: Actor, community_id: int) -> str:
    """Whom the staff member answers for, from their role in the community: the owners'
    committee, the community office (its grid workers), else the property company."""
    roles = {role for role, community, _b in scope_of(actor).memberships if community == community_id}
    if Role.COMMITTEE_MEMBER in roles:
        return Answerer.COMMITTEE
    if Role.GRID_WORKER in roles:
        return Answerer.OFFICE
    return Answerer.PROPERTY


def _moderated(actor: Actor, proposal_id: int, *, lock: bool = False) -> Proposal:
    proposal = _proposal(proposal_id, lock=lock)
    require(actor, Action.ENGAGE_MODERATE, proposal.community_id, proposal.building_id)
    return proposal


@transaction.atomic
def do_reply(*, actor: Actor, proposal_id: int, body: str) -> Comment:
    """An official reply; the committee's reply answers an agenda item."""
    proposal = _moderated(actor, proposal_id, lock=True)
    if proposal.status == ProposalStatus.HIDDEN:
        raise Conflict("proposal_hidden", _("该议题已隐藏，不能答复"))
    answerer = answerer_of(actor, proposal.community_id)
    comment = Comment.objects.create(
        proposal=proposal,
        community_id=proposal.community_id,
        building_id=proposal.building_id,
        author=actor,
        author_name=str(getattr(actor, "display_name", "") or Answerer(answerer).label),
        body=_text(body, "body"),
        answerer=answerer,
    )
    if answerer == Answerer.COMMITTEE:
        Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.AGENDA).update(
            status=ProposalStatus.ANSWERED, answered_at=timezone.now()
        )
    audit.record(actor=actor, action="engage.official_reply", obj=comment, community_id=proposal.community_id)
    return comment


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写隐藏理由"), fields={"reason": _("必填")})
    return reason[:200]


@transaction.atomic
def do_hide_proposal(*, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    proposal = _moderated(actor, proposal_id, lock=True)
    reason = _reason(reason)
    if (
        not Proposal.objects.filter(pk=proposal.pk, status=proposal.status)
        .exclude(status=ProposalStatus.HIDDEN)
        .update(status=ProposalStatus.HIDDEN, status_before_hidden=proposal.status, hidden_reason=reason)
    ):
        raise Conflict("already_hidden", _("该内容已隐藏"))
    Report.objects.filter(proposal=proposal, comment__isnull=True, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="engage.proposal_hide",
        obj=proposal,
        community_id=proposal.community_id,
        after={"reason": reason},
    )
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def do_unhide_proposal(*, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    proposal = _moderated(actor, proposal_id, lock=True)
    reason = _reason(reason)
    if not Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.HIDDEN).update(
        status=proposal.status_before_hidden or ProposalStatus.OPEN, status_before_hidden="", hidden_reason=""
    ):
        raise Conflict("not_hidden", _("该内容未被隐藏"))
    audit.record(
        actor=actor,
        action="engage.proposal_unhide",
        obj=proposal,
        community_id=proposal.community_id,
        after={"reason": reason},
    )
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def do_close_proposal(*, actor: Actor, proposal_id: int) -> Proposal:
    proposal = _moderated(actor, proposal_id)
    if not Proposal.objects.filter(
        pk=proposal.pk, status__in=(ProposalStatus.OPEN, ProposalStatus.ANSWERED)
    ).update(status=ProposalStatus.CLOSED):
        raise Conflict("cannot_close", _("只有讨论中或已答复的议题可以关闭（议程中的须先答复）"))
    audit.record(
        actor=actor, action="engage.proposal_close", obj=proposal, community_id=proposal.community_id
    )
    proposal.refresh_from_db()
    return proposal


def _moderated_comment(actor: Actor, comment_id: int) -> Comment:
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    require(actor, Action.ENGAGE_MODERATE, comment.community_id, comment.building_id)
    return comment


@transaction.atomic
def do_hide_comment(*, actor: Actor, comment_id: int, reason: str) -> Comment:
    comment = _moderated_comment(actor, comment_id)
    reason = _reason(reason)
    now = timezone.now()
    if not Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
        hidden_at=now, hidden_reason=reason
    ):
        raise Conflict("already_hidden", _("该内容已隐藏"))
    Report.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=now)
    audit.record(
        actor=actor,
        action="engage.comment_hide",
        obj=comment,
        community_id=comment.community_id,
        after={"reason": reason},
    )
    comment.refresh_from_db()
    return comment


@transaction.atomic
def do_unhide_comment(*, actor: Actor, comment_id: int, reason: str) -> Comment:
    comment = _moderated_comment(actor, comment_id)
    reason = _reason(reason)
    if not Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_reason=""
    ):
        raise Conflict("not_hidden", _("该内容未被隐藏"))
    audit.record(
        actor=actor,
        action="engage.comment_unhide",
        obj=comment,
        community_id=comment.community_id,
        after={"reason": reason},
    )
    comment.refresh_from_db()
    return comment


@transaction.atomic
def do_dismiss_report(*, actor: Actor, report_id: int) -> Report:
    """The moderator read the report and keeps the content."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    require(actor, Action.ENGAGE_MODERATE, report.community_id, report.building_id)
    if not Report.objects.filter(pk=report.pk, resolved_at__isnull=True).update(resolved_at=timezone.now()):
        raise Conflict("report_resolved", _("该举报已处理"))
    audit.record(actor=actor, action="engage.report_dismiss", obj=report, community_id=report.community_id)
    report.refresh_from_db()
    return report


@transaction.atomic
def do_update_deliberation_settings(
    *, actor: Actor, community_id: int, backing_share_bp: int, answer_days: int, banned_words: list[str]
) -> DeliberationSettings:
    require(actor, Action.ENGAGE_MODERATE, community_id)
    if not 1 <= backing_share_bp <= 10000:
        raise ServiceError(
            "bad_share", _("联署比例应在0.01%到100%之间"), fields={"backing_share_bp": _("无效")}
        )
    if not 1 <= answer_days <= 365:
        raise ServiceError("bad_days", _("答复期限应为1到365天"), fields={"answer_days": _("无效")})
    words = sorted({w.strip() for w in banned_words if w.strip()})
    if len(words) > MAX_BANNED_WORDS or any(len(w) > 20 for w in words):
        raise ServiceError(
            "bad_banned_words", _("禁用词最多200个，每个不超过20个字"), fields={"banned_words": _("无效")}
        )
    before = settings_of(community_id)
    found, _created = DeliberationSettings.objects.update_or_create(
        community_id=community_id,
        defaults={"backing_share_bp": backing_share_bp, "answer_days": answer_days, "banned_words": words},
    )
    audit.record(
        actor=actor,
        action="engage.deliberation_settings",
        obj=found,
        community_id=community_id,
        before={"share": before.backing_share_bp, "days": before.answer_days, "words": before.banned_words},
        after={"share": backing_share_bp, "days": answer_days, "words": words},
    )
    return found


def status_of(proposal_id: int) -> str:
    """A proposal's status now (for a caller backing in a loop, e.g. the demo)."""
    return Proposal.objects.filter(pk=proposal_id).values_list("status", flat=True).first() or ""
