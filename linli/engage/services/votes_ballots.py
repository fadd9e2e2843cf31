"""Ballots: online by an owner on the roll, by proxy with a written authorisation that staff
check, on paper entered at the counter and confirmed by a second person. A ballot counts when
it becomes a leaf of the vote's log; one valid ballot per head (docs/voting.md, "Ballots")."""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.engage import queries_votes
from linli.engage.choices_votes import STANDING, BallotStatus, Channel, Choice, VoteKind, VoteStatus
from linli.engage.models import Vote, VoteBallot, VoteElector, VoteVoter
from linli.engage.services import votes_log
from linli.engage.services.votes import require
from linli.registry import queries as registry
from linli.registry.choices import OWNING

MAX_AUTHORISATION = 5 * 1024 * 1024
AUTHORISATION_TYPES = ("image/jpeg", "image/png", "application/pdf")


def _clean_choice(vote: Vote, choice):
    if vote.kind == VoteKind.ELECTION:
        picked = sorted(set(choice)) if isinstance(choice, list) else None
        if (
            picked is None
            or len(picked) > vote.seats
            or any(
                not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(vote.candidates)
                for i in picked
            )
        ):
            raise ServiceError(
                "vote_bad_choice",
                _("最多选择 %(seats)s 名候选人") % {"seats": vote.seats},
                fields={"choice": _("无效")},
            )
        return picked
    if choice not in Choice.values:
        raise ServiceError("vote_bad_choice", _("请选择同意、反对或弃权"), fields={"choice": _("无效")})
    return choice


def _require_open(vote: Vote) -> None:
    if vote.status == VoteStatus.CLOSED:
        raise Conflict("vote_closed", _("表决已结束，不能再投票"))
    if vote.status != VoteStatus.OPEN:
        raise Conflict("vote_not_open", _("表决尚未开始"))


def _leaf(vote: Vote, elector: VoteElector, ballot: VoteBallot, replaces: int | None) -> dict:
    data = {
        "v": 1,
        "vote": vote.uid,
        "ballot": ballot.number,
        "head": elector.head_key,
        "area": votes_log.centi_str(elector.area_centi),
        "choice": ballot.choice,
        "channel": ballot.channel,
        "replaces": replaces,
    }
    if not vote.secret:
        data["parts"] = elector.label
    return data


def _accept(vote_id: int, ballot: VoteBallot, replaced: VoteBallot | None = None) -> votes_log.Appended:
    """Make the ballot valid and its leaf, the vote locked: one leaf index, one valid ballot
    per head, even when ballots race (the partial unique index refuses the second)."""
    vote = Vote.objects.select_for_update().get(pk=vote_id)
    _require_open(vote)
    if replaced is not None:
        done = VoteBallot.objects.filter(pk=replaced.pk, status=BallotStatus.VALID).update(
            status=BallotStatus.REPLACED
        )
        if done != 1:
            raise Conflict("vote_already_voted", _("这些专有部分已经投过票"))
    now = timezone.now()
    index = vote.leaf_count  # the vote is locked: this ballot's leaf takes the next index
    try:
        # No savepoint: a refused write ends the whole transaction (the Conflict rolls it back).
        with transaction.atomic(savepoint=False):
            if ballot.pk:
                done = VoteBallot.objects.filter(pk=ballot.pk, status=BallotStatus.PENDING).update(
                    status=BallotStatus.VALID, decided_at=now, checked_by=ballot.checked_by, leaf_index=index
                )
                if done != 1:
                    raise Conflict("vote_not_pending", _("这张选票已处理"))
            else:
                ballot.decided_at, ballot.leaf_index = now, index
                ballot.save()
    except IntegrityError:
        raise Conflict("vote_already_voted", _("这些专有部分已经投过票")) from None
    ballot.status, ballot.decided_at, ballot.leaf_index = BallotStatus.VALID, now, index
    leaf = _leaf(vote, ballot.elector, ballot, replaced.leaf_index if replaced else None)
    return votes_log.append(vote, leaf, ballot)


def _standing(elector: VoteElector) -> VoteBallot | None:
    return elector.ballots.filter(status__in=STANDING).first()


def _voter_for(actor, vote: Vote, elector_id: int | None) -> tuple[VoteVoter, int | None]:
    """The actor on the roll and the id of their parts' standing ballot if there is one (read
    here, outside the vote's lock: _accept's conditional updates and the one-valid-ballot index
    refuse what changed meanwhile)."""
    mine = queries_votes.roll_places(vote.pk, actor.pk)
    if elector_id is not None:
        mine = [v for v in mine if v.elector_id == elector_id]
    if not mine:
        relations = registry.relations_in(actor, vote.community_id)
        if relations & set(OWNING):
            raise Forbidden(
                _("您在表决开始后才登记为业主，不在本次表决的业主名册中"), code="vote_not_on_roll"
            )
        if relations:
            raise Forbidden(_("只有业主可以参加业主大会表决，租户和家属不能投票"), code="vote_not_owner")
        raise NotFound()
    if len({v.elector_id for v in mine}) > 1:
        raise ServiceError(
            "vote_choose_part", _("您有多组专有部分，请选择为哪一组投票"), fields={"elector_id": _("必填")}
        )
    return mine[0], mine[0].standing_id  # type: ignore[attr-defined]  # set by queries_votes.roll_places


@dataclass(frozen=True)
class Cast:
    ballot: VoteBallot
    appended: votes_log.Appended

    @property
    def receipt(self) -> dict:
        return votes_log.receipt(self.ballot.vote, self.ballot.number, self.appended)


def do_cast_ballot(*, actor, vote: Vote, choice, elector_id: int | None = None) -> Cast:
    """An owner votes online; a later online ballot replaces their earlier one if the vote allows.
    The receipt comes with it: the leaf's proof and the head signed when it was appended."""
    _require_open(vote)
    voter, standing_id = _voter_for(actor, vote, elector_id)
    elector = voter.elector
    if elector.designated_person_id and elector.designated_person_id != voter.person_id:
        raise Forbidden(_("共有人已指定由其他共有人投票"), code="vote_not_designated")
    choice = _clean_choice(vote, choice)
    with transaction.atomic():
        standing = VoteBallot.objects.get(pk=standing_id) if standing_id else None
        replaced = None
        if standing is not None:
            if standing.channel == Channel.ONLINE and standing.person_id != voter.person_id:
                raise Conflict("vote_co_owner_voted", _("共有人已为这些专有部分投票，共有人只能投一票"))
            if (
                standing.status != BallotStatus.VALID
                or standing.channel != Channel.ONLINE
                or not vote.allow_replace
            ):
                raise Conflict("vote_already_voted", _("这些专有部分已经投过票"))
            replaced = standing
        ballot = VoteBallot(
            vote=vote,
            community_id=vote.community_id,
            elector=elector,
            person_id=voter.person_id,
            channel=Channel.ONLINE,
            choice=choice,
            status=BallotStatus.VALID,
            number=secrets.token_hex(8),
            cast_by=actor,
        )
        appended = _accept(vote.pk, ballot, replaced)
        audit.record(actor=actor, action="engage.vote_cast", obj=ballot, community_id=vote.community_id)
    return Cast(ballot, appended)


def _elector(vote: Vote, elector_id: int) -> VoteElector:
    found = VoteElector.objects.filter(vote=vote, pk=elector_id).first()
    if found is None:
        raise ServiceError("vote_no_elector", _("名册中没有这些专有部分"), fields={"elector_id": _("无效")})
    return found


def _pending(actor, vote: Vote, elector_id: int, choice, channel: str, **extra) -> VoteBallot:
    _require_open(vote)
    elector = _elector(vote, elector_id)
    choice = _clean_choice(vote, choice)
    if _standing(elector) is not None:
        raise Conflict("vote_already_voted", _("这些专有部分已经投过票"))
    try:
        with transaction.atomic():
            ballot = VoteBallot.objects.create(
                vote=vote,
                community_id=vote.community_id,
                elector=elector,
                channel=channel,
                choice=choice,
                status=BallotStatus.PENDING,
                number=secrets.token_hex(8),
                cast_by=actor,
                **extra,
            )
            audit.record(
                actor=actor, action=f"engage.vote_{channel}_enter", obj=ballot, community_id=vote.community_id
            )
    except IntegrityError:
        raise Conflict("vote_already_voted", _("这些专有部分已经投过票")) from None
    return ballot


def do_cast_proxy_ballot(
    *,
    actor,
    vote: Vote,
    elector_id: int,
    choice,
    authorisation: bytes | None,
    content_type: str = "",
    person_id=None,
) -> VoteBallot:
    """A proxy's ballot, with the owner's written authorisation; it counts once staff check it.
    Taken by the counter (who sees the proxy in person) or sent by a resident of the community."""
    scope = scope_of(actor)
    if not (
        scope.may_in_community(Action.VOTE_COUNTER, vote.community_id)
        or vote.community_id in scope.resident_community_ids
    ):
        raise NotFound()
    if not authorisation:
        raise ServiceError(
            "vote_proxy_no_authorisation",
            _("委托投票须上传业主签署的书面委托书"),
            fields={"authorisation": _("必填")},
        )
    if len(authorisation) > MAX_AUTHORISATION or content_type not in AUTHORISATION_TYPES:
        raise ServiceError(
            "vote_bad_authorisation",
            _("委托书须为 5 MB 以内的 JPG、PNG 或 PDF 文件"),
            fields={"authorisation": _("无效")},
        )
    return _pending(
        actor,
        vote,
        elector_id,
        choice,
        Channel.PROXY,
        authorisation=authorisation,
        authorisation_type=content_type,
        person_id=person_id,
    )


def do_enter_paper_ballot(*, actor, vote: Vote, elector_id: int, choice, note: str = "") -> VoteBallot:
    """A paper ballot typed in at the counter; a second person confirms it against the paper."""
    require(actor, Action.VOTE_COUNTER, vote.community_id)
    return _pending(actor, vote, elector_id, choice, Channel.PAPER, note=note[:200])


def _decide(actor, ballot: VoteBallot, approve: bool, note: str) -> VoteBallot:
    with transaction.atomic():
        if not approve:
            done = VoteBallot.objects.filter(pk=ballot.pk, status=BallotStatus.PENDING).update(
                status=BallotStatus.REJECTED, checked_by=actor, decided_at=timezone.now(), note=note[:200]
            )
            if done != 1:
                raise Conflict("vote_not_pending", _("这张选票已处理"))
            ballot.refresh_from_db()
        else:
            ballot.checked_by = actor
            _accept(ballot.vote_id, ballot)
        audit.record(
            actor=actor,
            action="engage.vote_" + ("accept" if approve else "reject"),
            obj=ballot,
            community_id=ballot.community_id,
        )
    return ballot


def do_check_proxy(*, actor, ballot: VoteBallot, approve: bool, note: str = "") -> VoteBallot:
    require(actor, Action.VOTE_SETUP, ballot.community_id)
    if ballot.channel != Channel.PROXY:
        raise NotFound()
    return _decide(actor, ballot, approve, note)


def do_confirm_paper_ballot(*, actor, ballot: VoteBallot, approve: bool, note: str = "") -> VoteBallot:
    require(actor, Action.VOTE_COUNTER, ballot.community_id)
    if ballot.channel != Channel.PAPER:
        raise NotFound()
    if ballot.cast_by_id == actor.pk:
        raise Forbidden(_("纸质选票须由另一名工作人员核对确认"), code="vote_own_entry")
    return _decide(actor, ballot, approve, note)
