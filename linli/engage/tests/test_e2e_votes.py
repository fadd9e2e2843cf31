"""In a real browser (Debian's chromium via Playwright) against a live server: 王建国 opens the
vote from his phone, reads the matter and its threshold, votes and gets a receipt; at the
counter the front desk types in the developer's paper ballot, which counts only once a member of
the committee has confirmed it on the console.

    .venv/bin/python -m pytest linli/engage/tests/test_e2e_votes.py -m e2e
"""

import os

import pytest

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.engage.models import VoteBallot, VoteLeaf
from linli.testing import engage_votes
from linli.testing.engage_votes import estate

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The access app's browser set-up and the vote tests' estate: the same fixtures, not copies.
__all__ = ["browser", "chromium", "estate"]


def test_an_owner_votes_on_the_phone_and_a_paper_ballot_is_confirmed_by_a_second_person(
    transactional_db, live_server, estate, chromium
):
    world = estate.world
    vote = engage_votes.open_vote(world, actor=estate.committee, art278_item=6, title="筹集电梯维修资金")

    page = signed_in(chromium, live_server, world.owner)
    page.goto(f"{live_server.url}/engage/votes/")
    page.click(f"[data-vote='{vote.pk}'] a")
    assert "四分之三" in page.inner_text("#threshold")
    assert "89.50 ㎡" in page.inner_text("#cast")
    page.check("input[name=choice][value=for]")
    page.click("#cast button")
    page.wait_for_selector("#receipt")
    ballot = VoteBallot.objects.get(vote=vote, status="valid")
    assert page.inner_text("[data-ballot-number]") == ballot.number
    assert page.inner_text("[data-leaf-index]") == "0"

    desk = signed_in(chromium, live_server, world.front_desk, phone=False)
    desk.goto(f"{live_server.url}/engage/staff/{world.a.id}/votes/{vote.pk}/")
    developer = vote.electors.get(developer=True)
    desk.select_option("#paper select[name=elector]", str(developer.pk))
    desk.select_option("#paper select[name=choice]", "against")
    desk.click("#paper button")
    paper = VoteBallot.objects.get(vote=vote, channel="paper")
    assert desk.locator(f"[data-ballot='{paper.pk}'] button").count() == 0  # not by the one who typed it

    member = signed_in(chromium, live_server, estate.committee, phone=False)
    member.goto(f"{live_server.url}/engage/staff/{world.a.id}/votes/{vote.pk}/")
    member.click(f"[data-ballot='{paper.pk}'] button[value='1']")
    member.wait_for_selector("#progress")
    assert "已投票 2 / 5 人" in member.inner_text("#progress")
    assert VoteLeaf.objects.filter(vote=vote).count() == 2
