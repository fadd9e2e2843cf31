"""The vote pages as the personas use them (Django's test client): the committee sets a vote up
with the roll's preview and opens it, an owner votes and sees the receipt, a tenant is told why
not, the counter enters paper ballots that someone else confirms, and the result shows."""

import pytest

from linli.engage.models import Vote, VoteBallot
from linli.testing.engage_votes import estate, open_vote
from linli.testing.walk import text_of

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate"]


@pytest.mark.django_db
def test_set_up_vote_confirm_and_see_the_result(estate, browser):
    world = estate.world
    committee = browser(estate.committee)
    base = f"/engage/staff/{world.a.id}/votes/"
    page = text_of(committee.get(base))
    assert "5 人（按人数计），总面积 629.50 ㎡，其中开发商持有 2 个" in page
    r = committee.post(base, {"title": "选聘物业", "art278_item": "4", "kind": "matter"})
    vote = Vote.objects.get(title="选聘物业")
    assert r.status_code == 302
    committee.post(f"{base}{vote.pk}/open")

    owner = browser(world.owner)
    assert "选聘物业" in text_of(owner.get("/engage/votes/"))
    page = text_of(owner.get(f"/engage/votes/{vote.pk}/"))
    assert "过半数" in page and "89.50 ㎡" in page
    r = owner.post(f"/engage/votes/{vote.pk}/", {"choice": "for"})
    assert "/receipt" in r.url
    assert VoteBallot.objects.get(vote=vote, status="valid").number in text_of(owner.get(r.url))
    assert "不在本次表决的业主名册中" in text_of(browser(world.tenant).get(f"/engage/votes/{vote.pk}/"))

    desk = browser(world.front_desk)
    developer = vote.electors.get(developer=True)
    desk.post(f"{base}{vote.pk}/paper", {"elector": developer.pk, "choice": "for"})
    paper = VoteBallot.objects.get(vote=vote, channel="paper")
    desk.post(f"/engage/staff/{world.a.id}/votes/ballots/{paper.pk}/decide", {"approve": "1"})
    paper.refresh_from_db()
    assert paper.status == "pending"  # one's own entry is not confirmed
    committee.post(f"/engage/staff/{world.a.id}/votes/ballots/{paper.pk}/decide", {"approve": "1"})
    paper.refresh_from_db()
    assert paper.status == "valid"
    for user in (world.neighbour, estate.sun):
        browser(user).post(f"/engage/votes/{vote.pk}/", {"choice": "for"})
    committee.post(f"{base}{vote.pk}/close")
    page = text_of(owner.get(f"/engage/votes/{vote.pk}/"))
    assert "同意 529.50 ㎡ · 4 人" in page and "通过" in page


@pytest.mark.django_db
def test_the_committee_names_which_co_owner_votes(estate, browser):
    world = estate.world
    vote = open_vote(world, estate.committee, title="选聘物业")
    co = vote.electors.get(label__endswith="303")
    jia, yi = (co.voters.get(user_id=u.pk).person_id for u in (estate.zhang_jia, estate.zhang_yi))
    committee = browser(estate.committee)
    page_url = f"/engage/staff/{world.a.id}/votes/{vote.pk}/"
    designate = f"{page_url}electors/{co.pk}/designate"
    page = text_of(committee.get(page_url))
    assert "共有人指定投票人" in page and f'data-elector="{co.pk}"' in page
    assert "张*（业主）" in page and "张*（共有人）" in page and "未指定" in page
    assert "张甲" not in page and "张乙" not in page  # masked, as elsewhere

    # Someone who is not an owner of the part is refused; nothing changes.
    committee.post(designate, {"person": world.owner_person.pk})
    co.refresh_from_db()
    assert co.designated_person_id is None
    assert "该人员不是这些专有部分的业主" in text_of(committee.get(page_url))

    # The counter (vote.counter, not vote.setup) neither sees the form nor may post it.
    desk = browser(world.front_desk)
    assert "共有人指定投票人" not in text_of(desk.get(page_url))
    assert desk.post(designate, {"person": yi}).status_code in (302, 403, 404)
    co.refresh_from_db()
    assert co.designated_person_id is None

    r = committee.post(designate, {"person": yi})
    assert r.status_code == 302
    co.refresh_from_db()
    assert co.designated_person_id == yi != jia
    assert '指定投票人：<strong class="masked designated">张*（共有人）<' in text_of(committee.get(page_url))

    # Only the named co-owner may vote now.
    browser(estate.zhang_jia).post(f"/engage/votes/{vote.pk}/", {"choice": "for"})
    assert not VoteBallot.objects.filter(vote=vote, elector=co).exists()
    browser(estate.zhang_yi).post(f"/engage/votes/{vote.pk}/", {"choice": "against"})
    assert VoteBallot.objects.get(vote=vote, elector=co).status == "valid"
    page = text_of(committee.get(page_url))
    assert "已投票" in page and f'action="{designate}"' not in page
