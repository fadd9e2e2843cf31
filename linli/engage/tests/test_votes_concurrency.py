"""Ballots racing: co-owners voting at the same moment count once, owners voting together get
contiguous leaves whose log still verifies, and two people confirming one paper ballot make one
leaf."""

import pytest

from linli.core.errors import ServiceError
from linli.engage.models import VoteBallot, VoteLeaf
from linli.engage.services import votes_ballots, votes_log
from linli.testing import engage_votes
from linli.testing.engage_votes import estate, verifier
from linli.testing.threads import race

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate", "verifier"]


@pytest.mark.django_db(transaction=True)
def test_co_owners_voting_at_once_count_once_and_the_log_stays_whole(estate, verifier):
    vote = engage_votes.open_vote(estate.world, actor=estate.committee)
    outcomes = race(
        [
            lambda: votes_ballots.do_cast_ballot(actor=estate.zhang_jia, vote=vote, choice="for"),
            lambda: votes_ballots.do_cast_ballot(actor=estate.zhang_yi, vote=vote, choice="against"),
            lambda: votes_ballots.do_cast_ballot(actor=estate.world.owner, vote=vote, choice="for"),
            lambda: votes_ballots.do_cast_ballot(actor=estate.world.neighbour, vote=vote, choice="for"),
            lambda: votes_ballots.do_cast_ballot(actor=estate.sun, vote=vote, choice="against"),
        ]
    )
    refused = [o.code for o in outcomes if isinstance(o, ServiceError)]
    assert len(refused) == 1 and refused[0] in ("vote_co_owner_voted", "vote_already_voted"), outcomes
    assert VoteBallot.objects.filter(vote=vote, status="valid").count() == 4
    assert list(VoteLeaf.objects.filter(vote=vote).values_list("index", flat=True)) == [0, 1, 2, 3]
    vote.refresh_from_db()
    head = votes_log.sign_head(vote)
    errors, result = verifier.verify_export(votes_log.export(vote, head), vote.public_key)
    assert errors == [] and result["participating"]["heads"] == 4


def fresh(ballot) -> VoteBallot:
    return VoteBallot.objects.get(pk=ballot.pk)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_one_paper_ballot_make_one_leaf(estate, world):
    vote = engage_votes.open_vote(world, actor=estate.committee)
    elector = vote.electors.get(developer=True)
    paper = votes_ballots.do_enter_paper_ballot(
        actor=world.front_desk, vote=vote, elector_id=elector.pk, choice="for"
    )
    second = engage_votes.committee_second(world)
    outcomes = race(
        [
            lambda: votes_ballots.do_confirm_paper_ballot(
                actor=estate.committee, ballot=fresh(paper), approve=True
            ),
            lambda: votes_ballots.do_confirm_paper_ballot(actor=second, ballot=fresh(paper), approve=True),
        ]
    )
    assert sorted(o.code if isinstance(o, ServiceError) else "ok" for o in outcomes) == [
        "ok",
        "vote_not_pending",
    ]
    assert VoteLeaf.objects.filter(vote=vote).count() == 1
