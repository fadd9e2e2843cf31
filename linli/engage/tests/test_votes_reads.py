"""The roll read every ballot makes is hand-written SQL (linli.core.rawsql); it gives what its
ORM reference gives, for owners with and without a standing ballot, co-owners, a pending paper
ballot, an owner of several parts and people not on the roll."""

import pytest
from django.db.models import OuterRef, Subquery

from linli.engage.choices_votes import STANDING
from linli.engage.models import VoteBallot, VoteVoter
from linli.engage.queries_votes import roll_places
from linli.engage.services import votes_ballots
from linli.testing import engage_votes
from linli.testing.engage_votes import estate

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate"]


def fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def as_the_orm_gives_it(vote, user) -> list[tuple]:
    standing = VoteBallot.objects.filter(elector=OuterRef("elector"), status__in=STANDING)
    found = (
        VoteVoter.objects.filter(vote=vote, user_id=user.pk)
        .select_related("elector")
        .annotate(standing_id=Subquery(standing.values("pk")[:1]))
    )
    return [(fields(v), fields(v.elector), v.standing_id) for v in found]


def by_hand(vote, user) -> list[tuple]:
    return [(fields(v), fields(v.elector), v.standing_id) for v in roll_places(vote.pk, user.pk)]


@pytest.mark.django_db
def test_the_roll_read_is_the_orm_reference_before_and_after_ballots(estate, world):
    vote = engage_votes.open_vote(world, actor=estate.committee)
    people = [
        world.owner,
        world.neighbour,
        estate.zhang_jia,
        estate.zhang_yi,
        estate.sun,
        world.tenant,
        world.staff,
    ]
    before = {u.pk: by_hand(vote, u) for u in people}
    assert all(before[u.pk] for u in (world.owner, estate.zhang_jia, estate.sun))
    assert before[world.tenant.pk] == before[world.staff.pk] == []
    votes_ballots.do_cast_ballot(actor=world.owner, vote=vote, choice="for")
    votes_ballots.do_cast_ballot(actor=estate.zhang_jia, vote=vote, choice="against")
    sun_parts = {v.elector_id for v in roll_places(vote.pk, estate.sun.pk)}
    votes_ballots.do_enter_paper_ballot(
        actor=world.front_desk, vote=vote, elector_id=min(sun_parts), choice="for"
    )
    for user in people:
        assert by_hand(vote, user) == as_the_orm_gives_it(vote, user)
    mine = by_hand(vote, world.owner)
    assert mine[0][2] is not None and mine != before[world.owner.pk]  # the standing ballot is seen
