"""The demo's votes: seeded once through the services, the finished one's export recounts to
its published result with the standalone verifier, the live one is open; unsold houses are
marked as the developer's before the rolls are fixed and count once with the developer's."""

import pytest

from linli.engage.models import Vote
from linli.engage.services import votes_log
from linli.engage.services.votes_demo import DEVELOPER_HELD, LIVE, seed_votes_demo
from linli.registry.models import House
from linli.testing import factories as f
from linli.testing.engage_votes import estate, verifier

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate", "verifier"]


@pytest.mark.django_db
def test_the_demo_votes_verify_and_seed_once(estate, verifier):
    # Four unsold houses besides the developer's 501 and 502 (estate: 5 heads, 629.50 ㎡).
    unsold = [
        f.house(estate.world.house.unit, n, floor=6, area="50.00") for n in ("601", "602", "603", "604")
    ]
    summary = seed_votes_demo(estate.world.a)
    assert summary["created"] and summary["developer_held"] == DEVELOPER_HELD == 3
    marked = set(House.objects.filter(developer_held=True).values_list("number", flat=True))
    assert marked == {"501", "502", "601", "602", "603"}
    finished = Vote.objects.get(pk=summary["finished"])
    for vote in (finished, Vote.objects.get(title=LIVE)):
        developer = vote.electors.get(developer=True)
        assert developer.parts.count() == 5 and developer.area_centi == 16000 + 15000
        # The developer's five parts are one head; 604, unmarked and unowned, is one of its own.
        assert (vote.total_heads, vote.total_area_centi) == (6, 62950 + 4 * 5000)
    assert len(unsold) == 4
    head = finished.tree_heads.get(final=True)
    errors, result = verifier.verify_export(votes_log.export(finished, head), finished.public_key)
    assert errors == [] and result == {k: v for k, v in finished.result.items() if k != "tree_head"}
    assert Vote.objects.get(title=LIVE).status == "open"
    assert seed_votes_demo(estate.world.a) == {"created": False}
