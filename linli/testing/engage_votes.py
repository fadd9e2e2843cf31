"""Test support for owners' votes: a committee member, a vote opened on community A's roll, a
ballot, and the ids the outsider and narrowed-staff walks probe."""

from linli.engage.models import Vote, VoteBallot
from linli.engage.services import votes, votes_ballots
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
