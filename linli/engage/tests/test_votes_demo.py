"""The demo's votes: seeded once through the services, the finished one's export recounts to
its published result with the standalone verifier, the live one is open."""

import pytest

from linli.engage.models import Vote
from linli.engage.services import votes_log
from linli.engage.services.votes_demo import LIVE, seed_votes_demo
from linli.testing.engage_votes import estate, verifier

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate", "verifier"]


@pytest.mark.django_db
def test_the_demo_votes_verify_and_seed_once(estate, verifier):
    summary = seed_votes_demo(estate.world.a)
    assert summary["created"]
    finished = Vote.objects.get(pk=summary["finished"])
    head = finished.tree_heads.get(final=True)
    errors, result = verifier.verify_export(votes_log.export(finished, head), finished.public_key)
    assert errors == [] and result == {k: v for k, v in finished.result.items() if k != "tree_head"}
    assert Vote.objects.get(title=LIVE).status == "open"
    assert seed_votes_demo(estate.world.a) == {"created": False}
