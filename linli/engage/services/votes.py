"""Setting up an owners' vote, fixing its roll when it opens, closing and counting it (ENG-3).

The roll: every exclusive part (registry house) with its area and the area's source. A head is
the parts of one set of owners (one owner with several parts counts once; co-owners of a part
count once together) or all of the developer's parts; a part without a registered owner is a
head of its own (its owner votes on paper or by proxy). docs/voting.md has the rules."""

import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.engage.choices_votes import STANDING, Art278Item, BallotStatus, VoteKind, VoteStatus
from linli.engage.models import Vote, VoteBallot, VoteElector, VotePart, VoteVoter
from linli.engage.services import votes_log, votes_tally
from linli.notify.services import notify
from linli.registry import queries as registry

MAX_CANDIDATES = 50
VOTE_KIND = "engage.vote"


def require(actor, action: str, community_id: int) -> None:
    if not scope_of(actor).covers_community(action, community_id):
        raise Forbidden()


def do_create_vote(
    *,
    actor,
    community: Community,
    title: str,
    art278_item: int,
    body: str = "",
    kind: str = VoteKind.MATTER,
    seats: int = 0,
    candidates: list[str] | None = None,
    secret: bool = False,
    allow_replace: bool = True,
) -> Vote:
    require(actor, Action.VOTE_SETUP, community.pk)
    candidates = [c.strip() for c in candidates or [] if c.strip()]
    if art278_item not in Art278Item.values:
        raise ServiceError(
            "vote_bad_item", _("请选择民法典第二百七十八条规定的事项"), fields={"art278_item": _("无效")}
        )
    if kind == VoteKind.ELECTION:
        if not 0 < seats <= len(candidates) <= MAX_CANDIDATES or len(set(candidates)) != len(candidates):
            raise ServiceError(
                "vote_bad_election",
                _("选举需要不重复的候选人，且候选人不少于应选人数"),
                fields={"seats": _("无效")},
            )
    else:
        seats, candidates = 0, []
    with transaction.atomic():
        vote = _create(
            actor, community, title, body, kind, art278_item, seats, candidates, secret, allow_replace
        )
        audit.record(actor=actor, action="engage.vote_create", obj=vote, community_id=community.pk)
    return vote


def _create(
    actor, community, title, body, kind, art278_item, seats, candidates, secret, allow_replace
) -> Vote:
    return Vote.objects.create(
        community=community,
        uid=secrets.token_hex(8),
        title=title.strip(),
        body=body,
        kind=kind,
        art278_item=art278_item,
        seats=seats,
        candidates=candidates,
        secret=secret,
        allow_replace=allow_replace,
        created_by=actor,
    )


def _head_key(vote: Vote, group: str) -> str:
    return hashlib.sha256(f"{vote.uid}:{group}".encode()).hexdigest()[:24]


def roll_preview(community_id: int) -> dict:
    """What the roll would be if the vote opened now: heads, total area, the developer's parts."""
    heads: dict[str, list] = {}
    developer_parts = 0
    area = Decimal(0)
    for house, owners in registry.owners_roll(community_id):
        area += house.area
        developer_parts += house.developer_held
        heads.setdefault(_group(house, owners), []).append(house)
    return {
        "parts": sum(len(v) for v in heads.values()),
        "heads": len(heads),
        "area": area,
        "developer_parts": developer_parts,
    }


def _group(house, owners) -> str:
    if house.developer_held:
        return "developer"
    if not owners:
        return f"part:{house.pk}"
    return "owners:" + ",".join(str(p) for p in sorted({o.person_id for o in owners}))


def _fix_roll(vote: Vote) -> None:
    groups: dict[str, list] = {}
    for house, owners in registry.owners_roll(vote.community_id):
        groups.setdefault(_group(house, owners), []).append((house, owners))
    total = 0
    for group, parts in groups.items():
        area = sum(votes_tally.centi(str(house.area)) for house, _o in parts)
        total += area
        elector = VoteElector.objects.create(
            vote=vote,
            community_id=vote.community_id,
            head_key=_head_key(vote, group),
            area_centi=area,
            developer=group == "developer",
            label="、".join(house.label for house, _o in parts)[:200],
        )
        VotePart.objects.bulk_create(
            VotePart(
                elector=elector,
                vote=vote,
                house_id=house.pk,
                label=house.label,
                area=house.area,
                area_source=house.area_source,
                developer_held=house.developer_held,
            )
            for house, _o in parts
        )
        if group.startswith("owners:"):
            seen: dict[int, VoteVoter] = {}
            for _house, owners in parts:
                for o in owners:
                    seen.setdefault(
                        o.person_id,
                        VoteVoter(
                            elector=elector,
                            vote=vote,
                            person_id=o.person_id,
                            user_id=o.person.user_id,
                            relation=o.relation,
                        ),
                    )
            VoteVoter.objects.bulk_create(seen.values())
    Vote.objects.filter(pk=vote.pk).update(total_area_centi=total, total_heads=len(groups))
    vote.total_area_centi, vote.total_heads = total, len(groups)


def do_open_vote(*, actor, vote: Vote) -> Vote:
    """Fix the roll from the registry as it is now, make the vote's key and open it."""
    require(actor, Action.VOTE_SETUP, vote.community_id)
    with transaction.atomic():
        private, public = votes_log.new_key()
        opened = Vote.objects.filter(pk=vote.pk, status=VoteStatus.DRAFT).update(
            status=VoteStatus.OPEN, opened_at=timezone.now(), public_key=public
        )
        if opened != 1:
            raise Conflict("vote_not_draft", _("只有筹备中的表决可以开始"))
        vote.refresh_from_db()
        vote.private_key = private
        vote.save(update_fields=["private_key"])
        _fix_roll(vote)
        if vote.total_heads == 0:
            raise ServiceError("vote_empty_roll", _("本小区没有登记的专有部分，无法开始表决"))
        votes_log.sign_head(vote)
        audit.record(actor=actor, action="engage.vote_open", obj=vote, community_id=vote.community_id)
        _tell_voters(vote)
    return vote


def _tell_voters(vote: Vote) -> None:
    """The owners on the roll with an account hear that they may vote (the others: a paper
    ballot or a proxy, which the committee arranges)."""
    notify(
        users=VoteVoter.objects.filter(vote=vote, user_id__isnull=False).values_list("user_id", flat=True),
        kind=VOTE_KIND,
        title=gettext("业主表决开始：%(title)s") % {"title": vote.title},
        body=gettext("您是本次表决的业主，请在截止前投票；投票后可凭回执核验计票。"),
        link=reverse("engage:vote", args=[vote.pk]),
        community_id=vote.community_id,
    )


def do_set_designated_voter(*, actor, elector: VoteElector, person_id: int) -> VoteElector:
    """The co-owners named who votes for their parts (a written note checked by staff)."""
    require(actor, Action.VOTE_SETUP, elector.community_id)
    if not elector.voters.filter(person_id=person_id).exists():
        raise ServiceError(
            "vote_not_co_owner", _("该人员不是这些专有部分的业主"), fields={"person_id": _("无效")}
        )
    if elector.ballots.filter(status__in=STANDING).exists():
        raise Conflict("vote_already_voted", _("这些专有部分已经投过票"))
    with transaction.atomic():
        VoteElector.objects.filter(pk=elector.pk).update(designated_person_id=person_id)
        elector.designated_person_id = person_id
        audit.record(
            actor=actor, action="engage.vote_designate", obj=elector, community_id=elector.community_id
        )
    return elector


def do_close_vote(*, actor, vote: Vote) -> Vote:
    """Close, count from the log and keep the result with the final signed tree head. Ballots
    still waiting for a check or a confirmation when the vote closes do not count."""
    require(actor, Action.VOTE_SETUP, vote.community_id)
    with transaction.atomic():
        locked = Vote.objects.select_for_update().get(pk=vote.pk)
        if locked.status != VoteStatus.OPEN:
            raise Conflict("vote_not_open", _("只有投票中的表决可以结束"))
        now = timezone.now()
        VoteBallot.objects.filter(vote=locked, status=BallotStatus.PENDING).update(
            status=BallotStatus.REJECTED, decided_at=now, note=_("截止时尚未核验")
        )
        head = votes_log.sign_head(locked, final=True)
        result = count(locked)
        result["tree_head"] = votes_log.head_out(head)
        Vote.objects.filter(pk=locked.pk).update(status=VoteStatus.CLOSED, closed_at=now, result=result)
        audit.record(actor=actor, action="engage.vote_close", obj=locked, community_id=locked.community_id)
    vote.refresh_from_db()
    return vote


def count(vote: Vote) -> dict:
    return votes_tally.tally(
        votes_log.leaf_data(vote),
        total_area=vote.total_area_centi,
        total_heads=vote.total_heads,
        art278_item=vote.art278_item,
        kind=vote.kind,
        seats=vote.seats,
        candidates=vote.candidates,
    )
