"""The demo community's owners' votes, through the real services: a finished vote (renewing the
property company's contract, item 4) whose export tools/verify_vote.py checks, and a live one
(raising the lifts' maintenance funds, item 6) with about half of the owners counted so far.
Most demo owners have no account, so their ballots come in on paper, entered at the counter and
confirmed by the committee, as they would be for owners without a smartphone. Before the rolls
are fixed, a few unsold houses (no owner registered) are marked as the developer's, so both
votes' rolls count them once together."""

import random

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.engage.models import Vote
from linli.engage.services import votes, votes_ballots
from linli.registry import queries as registry
from linli.registry import services as registry_services

FINISHED = "续聘幸福物业服务有限公司"
LIVE = "筹集电梯更新改造维修资金"
DEVELOPER_HELD = 3  # unsold houses the developer still holds


def _staff(community: Community, role: str):
    found = (
        Membership.objects.filter(community=community, role=role)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return found.user if found else None


def _paper(
    vote: Vote, desk, committee, rng: random.Random, share: float, weights: tuple[float, float, float]
):
    for elector in vote.electors.order_by("id"):
        if rng.random() >= share:
            continue
        choice = rng.choices(["for", "against", "abstain"], weights=weights)[0]
        ballot = votes_ballots.do_enter_paper_ballot(
            actor=desk, vote=vote, elector_id=elector.pk, choice=choice
        )
        votes_ballots.do_confirm_paper_ballot(actor=committee, ballot=ballot, approve=True)


def _mark_developer_held(community: Community, actor) -> int:
    """The first few houses without a registered owner are the developer's unsold parts."""
    unsold = [h for h, owners in registry.owners_roll(community.pk) if not owners and not h.developer_held]
    for house in unsold[:DEVELOPER_HELD]:
        registry_services.do_set_developer_held(actor=actor, house=house, held=True)
    return min(len(unsold), DEVELOPER_HELD)


def seed_votes_demo(community: Community, *, seed: int = 42) -> dict:
    if Vote.objects.filter(community=community).exists():
        return {"created": False}
    committee, desk = _staff(community, Role.COMMITTEE_MEMBER), _staff(community, Role.FRONT_DESK)
    admin = _staff(community, Role.COMMUNITY_ADMIN)
    if committee is None or desk is None or admin is None:
        return {"created": False}
    developer_held = _mark_developer_held(community, admin)
    rng = random.Random(f"{seed}:{community.code}:votes")
    finished = votes.do_create_vote(
        actor=committee,
        community=community,
        title=FINISHED,
        art278_item=4,
        body="物业服务合同将于年底到期，业委会提议按原标准续聘三年。",
    )
    votes.do_open_vote(actor=committee, vote=finished)
    _paper(finished, desk, committee, rng, 0.82, (0.72, 0.18, 0.10))
    votes.do_close_vote(actor=committee, vote=finished)
    live = votes.do_create_vote(
        actor=committee,
        community=community,
        title=LIVE,
        art278_item=6,
        body="各楼电梯已运行十五年，拟按专有部分面积每平方米 30 元筹集维修资金用于更新改造。",
        secret=True,
    )
    votes.do_open_vote(actor=committee, vote=live)
    _paper(live, desk, committee, rng, 0.45, (0.8, 0.12, 0.08))
    finished.refresh_from_db()
    return {
        "created": True,
        "finished": finished.pk,
        "passed": bool(finished.result and finished.result.get("passed")),
        "developer_held": developer_held,
    }
