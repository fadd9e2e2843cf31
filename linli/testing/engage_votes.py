"""Test support for owners' votes: a committee member, a vote opened on community A's roll, a
ballot, and the ids the outsider and narrowed-staff walks probe."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from linli.engage.models import Vote, VoteBallot
from linli.engage.services import votes, votes_ballots
from linli.registry.models import House
from linli.testing import factories as f


def committee(world):
    """A member of A's owners' committee: sets votes up (vote.setup) and counts (vote.counter)."""
    return f.staff(world.a, "committee_member", "committee_a")


def open_vote(world, actor=None, **terms) -> Vote:
    actor = actor or world.admin
    terms.setdefault("title", "续聘物业服务企业")
    terms.setdefault("art278_item", 4)
    vote = votes.do_create_vote(actor=actor, community=world.a, **terms)
    return votes.do_open_vote(actor=actor, vote=vote)


def probe_ids(world) -> dict[str, int | str]:
    """A's vote, a head of its roll and a ballot (a paper one waiting for confirmation)."""
    vote = open_vote(world, title="外人不可见的表决")
    votes_ballots.do_cast_ballot(actor=world.owner, vote=vote, choice="for")
    elector = vote.electors.exclude(ballots__status="valid").first()
    assert elector is not None
    paper = votes_ballots.do_enter_paper_ballot(
        actor=world.front_desk, vote=vote, elector_id=elector.pk, choice="against"
    )
    return {"vote_id": vote.pk, "elector_id": elector.pk, "ballot_id": VoteBallot.objects.get(pk=paper.pk).pk}


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """A vote is the whole community's: staff narrowed to a building reach none of it."""
    return probe_ids(world)


def committee_second(world):
    """Another member of the committee: the second pair of eyes on a paper ballot."""
    return f.staff(world.a, "committee_member", "committee_a2")


# --- fixtures of the vote tests (imported by each test module) ---------------------------------


@pytest.fixture
def verifier():
    spec = importlib.util.spec_from_file_location(
        "verify_vote", Path(__file__).parents[2] / "tools" / "verify_vote.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def estate(world):
    """Roll: 王建国 301 (89.50), 赵邻居 302 (120.00), 张甲+张乙 303 (100.00), 孙 401+402
    (160.00), the developer 501+502 (160.00): 5 heads, 629.50 ㎡."""
    u = world.house.unit
    co = f.house(u, "303", area="100.00")
    zhang_jia, zhang_yi = f.user("zhangjia"), f.user("zhangyi")
    f.occupy(co, f.person(world.a, "张甲", login=zhang_jia), "owner")
    f.occupy(co, f.person(world.a, "张乙", login=zhang_yi), "co_owner")
    sun = f.user("sun")
    sun_person = f.person(world.a, "孙多房", login=sun)
    for number, area in (("401", "90.00"), ("402", "70.00")):
        f.occupy(f.house(u, number, floor=4, area=area), sun_person, "owner")
    dev = [f.house(u, n, floor=5, area="80.00") for n in ("501", "502")]
    House.objects.filter(pk__in=[h.pk for h in dev]).update(developer_held=True)
    return SimpleNamespace(
        world=world,
        co_house=co,
        zhang_jia=zhang_jia,
        zhang_yi=zhang_yi,
        sun=sun,
        committee=committee(world),
    )
