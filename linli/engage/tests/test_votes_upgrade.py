"""A vote already open when linli is upgraded keeps taking ballots: migration 0003 gives its log
the right edge that appends now read instead of the stored nodes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from linli.engage.models import Vote
from linli.engage.services import votes_ballots, votes_log
from linli.testing import engage_votes
from linli.testing.engage_votes import verifier

__all__ = ["verifier"]

BEFORE, AFTER = [("engage", "0002_activity_cancellation")], [("engage", "0003_vote_right_edge")]


@pytest.mark.django_db(transaction=True)
def test_an_open_vote_from_before_the_upgrade_gets_its_right_edge(world, verifier):
    vote = engage_votes.open_vote(world)
    votes_ballots.do_cast_ballot(actor=world.owner, vote=vote, choice="for")
    votes_ballots.do_cast_ballot(actor=world.neighbour, vote=vote, choice="against")
    edge = bytes(Vote.objects.get(pk=vote.pk).right_edge)
    assert len(edge) == 32  # two leaves: one complete subtree

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    assert bytes(Vote.objects.get(pk=vote.pk).right_edge) == edge
    locked = Vote.objects.get(pk=vote.pk)
    head = votes_log.sign_head(locked)
    errors, result = verifier.verify_export(votes_log.export(locked, head), vote.public_key)
    assert errors == [] and result["participating"]["heads"] == 2
