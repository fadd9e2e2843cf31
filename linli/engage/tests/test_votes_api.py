"""An owners' vote through the API as the personas live it: the roll fixed at opening, ballots
online, by proxy and on paper, the refusals, receipts and proofs that the standalone verifier
accepts, the result kept with the final signed tree head — and tampered exports it rejects."""

import base64
import copy
import io
import json

import pytest

from linli.engage.models import VoteElector
from linli.notify.models import Notification
from linli.testing import factories as f
from linli.testing.engage_votes import estate, verifier

# The vote tests' fixtures, shared, not copied.
__all__ = ["estate", "verifier"]

PAPERS = "/engage/votes/{}/paper-ballots"


def create(api, estate, **terms):
    body = {"title": "续聘物业服务企业", "art278_item": 4, **terms}
    r = api(estate.committee).post(f"/engage/staff/{estate.world.a.id}/votes", body)
    assert r.status_code == 201, r.content
    vote = r.json()
    r = api(estate.committee).post(f"/engage/votes/{vote['id']}/open")
    assert r.status_code == 200, r.content
    return r.json()


def elector_of(vote, label_part: str) -> int:
    return VoteElector.objects.get(vote_id=vote["id"], label__contains=label_part).pk


def proxy(client, vote, elector_id, choice, data=b"%PDF-1.4 signed"):
    fields = {"elector_id": elector_id, "choice": choice}
    if data is not None:
        upload = io.BytesIO(data)
        upload.name = "委托书.pdf"
        fields["authorisation"] = upload
    return client.client.post(f"/api/v1/engage/votes/{vote['id']}/proxy-ballots", fields)


def code(r) -> str:
    return r.json().get("code", "")


@pytest.mark.django_db
def test_opening_a_vote_tells_the_owners_on_its_roll_and_no_one_else(estate, api):
    world = estate.world
    vote = create(api, estate)
    told = Notification.objects.filter(kind="engage.vote")
    owners = {world.owner, world.neighbour, estate.zhang_jia, estate.zhang_yi, estate.sun}
    assert set(told.values_list("recipient_id", flat=True)) == {u.pk for u in owners}  # not the tenant
    message = told.first()
    assert message.title == "业主表决开始：续聘物业服务企业"
    assert message.link == f"/engage/votes/{vote['id']}/"
    assert api(world.owner).client.get(message.link).status_code == 200  # the link opens the ballot


@pytest.mark.django_db
def test_a_whole_vote_its_refusals_and_its_verified_result(estate, api, verifier):
    world = estate.world
    preview = api(estate.committee).get(f"/engage/staff/{world.a.id}/votes/roll-preview").json()
    assert preview == {"parts": 7, "heads": 5, "area": "629.50", "developer_parts": 2}
    vote = create(api, estate)
    assert (vote["total_heads"], vote["total_area"], vote["threshold"]) == (5, "629.50", "ordinary")
    vid = vote["id"]

    # Added as an owner after the roll was fixed: not on it.
    late = f.user("late")
    f.occupy(world.neighbour_house, f.person(world.a, "晚到", login=late), "co_owner")
    assert code(api(late).post(f"/engage/votes/{vid}/ballots", {"choice": "for"})) == "vote_not_on_roll"
    assert code(api(world.tenant).post(f"/engage/votes/{vid}/ballots", {"choice": "for"})) == "vote_not_owner"
    assert api(world.outsider).post(f"/engage/votes/{vid}/ballots", {"choice": "for"}).status_code == 404
    assert api(world.outsider).get(f"/engage/votes/{vid}/export").status_code == 404

    owner = api(world.owner)
    r = owner.post(f"/engage/votes/{vid}/ballots", {"choice": "against"})
    assert r.status_code == 201, r.content
    first = r.json()
    assert verifier.verify_receipt(first, vote["public_key"]) == []
    leaf = json.loads(base64.b64decode(first["leaf"]))
    assert leaf["area"] == "89.50" and leaf["choice"] == "against" and "王建国" not in first["leaf"]
    # Changed their mind before close: the new leaf replaces the first.
    second = owner.post(f"/engage/votes/{vid}/ballots", {"choice": "for"}).json()
    assert json.loads(base64.b64decode(second["leaf"]))["replaces"] == first["leaf_index"]

    assert api(estate.zhang_jia).post(f"/engage/votes/{vid}/ballots", {"choice": "for"}).status_code == 201
    r = api(estate.zhang_yi).post(f"/engage/votes/{vid}/ballots", {"choice": "against"})
    assert (r.status_code, code(r)) == (409, "vote_co_owner_voted")
    assert api(estate.sun).post(f"/engage/votes/{vid}/ballots", {"choice": "against"}).status_code == 201

    # The developer's parts on paper: entered by the counter, confirmed by someone else.
    desk = api(world.front_desk)
    r = desk.post(PAPERS.format(vid), {"elector_id": elector_of(vote, "501"), "choice": "for"})
    assert r.status_code == 201, r.content
    paper = r.json()
    assert paper["status"] == "pending"
    r = desk.post(f"/engage/vote-ballots/{paper['id']}/confirm", {"approve": True})
    assert (r.status_code, code(r)) == (403, "vote_own_entry")
    r = api(estate.committee).post(f"/engage/vote-ballots/{paper['id']}/confirm", {"approve": True})
    assert r.json()["status"] == "valid", r.content

    # 302 by proxy: no authorisation is refused; with one it waits for the committee's check.
    neighbour_part = elector_of(vote, "302")
    r = proxy(api(world.owner), vote, neighbour_part, "abstain", data=None)
    assert code(r) == "vote_proxy_no_authorisation"
    r = proxy(api(world.owner), vote, neighbour_part, "abstain", data=b"GIF89a named .pdf, not a PDF")
    assert code(r) == "vote_bad_authorisation"  # the bytes decide the type, not the name
    r = proxy(api(world.owner), vote, neighbour_part, "abstain")
    assert r.status_code == 201, r.content
    scan = api(estate.committee).get(f"/engage/vote-ballots/{r.json()['id']}/authorisation")
    assert scan.content == b"%PDF-1.4 signed" and scan["Content-Type"] == "application/pdf"
    assert (
        api(world.front_desk).get(f"/engage/vote-ballots/{r.json()['id']}/authorisation").status_code == 404
    )
    pending = api(estate.committee).get(f"/engage/votes/{vid}/progress").json()
    assert (pending["heads"], pending["pending"]) == (4, 1)
    r = api(estate.committee).post(f"/engage/vote-ballots/{r.json()['id']}/check", {"approve": True})
    assert r.json()["status"] == "valid"
    r = api(world.neighbour).post(f"/engage/votes/{vid}/ballots", {"choice": "for"})
    assert (r.status_code, code(r)) == (409, "vote_already_voted")  # a proxy's ballot is final

    heads = owner.get(f"/engage/votes/{vid}/tree-heads").json()
    r = owner.get(
        f"/engage/votes/{vid}/proofs/consistency", {"old": heads[1]["size"], "new": heads[-1]["size"]}
    )
    assert verifier.verify_consistency(r.json(), vote["uid"], vote["public_key"]) == []

    r = api(estate.committee).post(f"/engage/votes/{vid}/close")
    assert r.status_code == 200, r.content
    result = r.json()["result"]
    # Everyone took part: 629.50 ㎡, 5 heads; for 王 89.50 + 张 100 + developer 160 = 349.50 ㎡,
    # 3 heads: 699.00 > 629.50 and 6 > 5, so it passes (more than half of both).
    assert result["participating"] == {"area": 62950, "heads": 5} and result["quorum"]
    assert result["for"] == {"area": 34950, "heads": 3}
    assert result["against"] == {"area": 16000, "heads": 1}
    assert result["abstain"] == {"area": 12000, "heads": 1}
    assert result["passed"] and result["tree_head"]["final"]
    assert code(owner.post(f"/engage/votes/{vid}/ballots", {"choice": "against"})) == "vote_closed"

    exported = owner.get(f"/engage/votes/{vid}/export").json()
    errors, recomputed = verifier.verify_export(exported, vote["public_key"])
    assert errors == [] and recomputed["passed"]
    receipt = owner.get(f"/engage/vote-ballots/{_ballot_id(vid, second)}/receipt").json()
    assert verifier.verify_receipt(receipt, vote["public_key"]) == []
    _tampered_exports_fail(verifier, exported, vote["public_key"])


def _ballot_id(vote_id, receipt) -> int:
    from linli.engage.models import VoteBallot

    return VoteBallot.objects.get(vote_id=vote_id, number=receipt["ballot"]).pk


def _tampered_exports_fail(verifier, exported, key):
    flipped = copy.deepcopy(exported)
    leaf = json.loads(base64.b64decode(flipped["leaves"][2]))
    leaf["choice"] = "against"
    flipped["leaves"][2] = base64.b64encode(json.dumps(leaf).encode()).decode()
    assert (
        "log: the leaves' Merkle root is not the signed tree head's root"
        in verifier.verify_export(flipped, key)[0]
    )

    wrong_root = copy.deepcopy(exported)
    wrong_root["tree_head"]["root"] = "00" * 32
    errors = verifier.verify_export(wrong_root, key)[0]
    assert f"tree head {exported['tree_head']['size']}: bad signature" in errors

    bad_signature = copy.deepcopy(exported)
    bad_signature["tree_head"]["signature"] = "11" * 64
    assert verifier.verify_export(bad_signature, key)[0] == [
        f"tree head {exported['tree_head']['size']}: bad signature"
    ]

    altered = copy.deepcopy(exported)
    altered["result"]["for"]["area"] += 100
    errors = verifier.verify_export(altered, key)[0]
    assert errors == [
        "result: for published as {'area': 35050, 'heads': 3}, recomputed {'area': 34950, 'heads': 3}"
    ]

    other_key = copy.deepcopy(exported)
    assert verifier.verify_export(other_key, "ab" * 32)[0][0].startswith("public key:")


@pytest.mark.django_db
def test_a_major_matter_needs_three_quarters_and_co_owners_name_their_voter(estate, api):
    vote = create(api, estate, art278_item=6, title="筹集维修资金")
    assert vote["threshold"] == "major"
    co = elector_of(vote, "303")
    listed = api(estate.committee).get(f"/engage/votes/{vote['id']}/electors").json()
    owners = next(e["owners"] for e in listed if e["id"] == co)  # what a client names one from
    assert sorted(o["relation"] for o in owners) == ["co_owner", "owner"]
    jia_person = next(o["person_id"] for o in owners if o["relation"] == "co_owner")
    assert jia_person == VoteElector.objects.get(pk=co).voters.get(relation="co_owner").person_id
    r = api(estate.committee).post(
        f"/engage/votes/{vote['id']}/electors/{co}/designate", {"person_id": jia_person}
    )
    assert r.status_code == 200, r.content
    r = api(estate.zhang_jia).post(f"/engage/votes/{vote['id']}/ballots", {"choice": "for"})
    assert (r.status_code, code(r)) == (403, "vote_not_designated")
    assert (
        api(estate.zhang_yi).post(f"/engage/votes/{vote['id']}/ballots", {"choice": "for"}).status_code == 201
    )
    for user in (estate.world.owner, estate.world.neighbour, estate.sun):
        assert api(user).post(f"/engage/votes/{vote['id']}/ballots", {"choice": "for"}).status_code == 201
    result = api(estate.committee).post(f"/engage/votes/{vote['id']}/close").json()["result"]
    # 4 of 5 heads (≥ 2/3) but 469.50 of 629.50 ㎡: 469.50 × 3 = 1408.50 ≥ 629.50 × 2 = 1259.00,
    # so the quorum is met; all for: 100 % ≥ 3/4 of both → passes.
    assert result["quorum"] and result["passed"]


@pytest.mark.django_db
def test_an_election_fills_its_seats_per_candidate(estate, api, verifier):
    vote = create(
        api, estate, kind="election", art278_item=3, seats=2, candidates=["甲", "乙", "丙"], secret=True
    )
    picks = {
        estate.world.owner: [0, 1],
        estate.world.neighbour: [0, 2],
        estate.sun: [0, 1],
        estate.zhang_jia: [1],
    }
    for user, choice in picks.items():
        r = api(user).post(f"/engage/votes/{vote['id']}/ballots", {"choice": choice})
        assert r.status_code == 201, r.content
        assert "parts" not in json.loads(base64.b64decode(r.json()["leaf"]))  # secret: no parts named
    r = api(estate.sun).post(f"/engage/votes/{vote['id']}/ballots", {"choice": [0, 1, 2]})
    assert code(r) == "vote_bad_choice"
    result = api(estate.committee).post(f"/engage/votes/{vote['id']}/close").json()["result"]
    elected = [c["name"] for c in result["candidates"] if c["elected"]]
    assert elected == ["甲", "乙"] and result["tie"] == []
    errors, _ = verifier.verify_export(
        api(estate.world.owner).get(f"/engage/votes/{vote['id']}/export").json()
    )
    assert errors == []


@pytest.mark.django_db
def test_only_the_committee_sets_up_and_residents_see_no_drafts(estate, api):
    world = estate.world
    r = api(world.front_desk).post(f"/engage/staff/{world.a.id}/votes", {"title": "x", "art278_item": 1})
    assert r.status_code == 403
    r = api(estate.committee).post(f"/engage/staff/{world.a.id}/votes", {"title": "草稿", "art278_item": 1})
    draft = r.json()
    assert api(world.owner).get(f"/engage/votes/{draft['id']}").status_code == 404
    assert api(world.owner).get("/engage/votes/mine").json() == []
    api(estate.committee).post(f"/engage/votes/{draft['id']}/open")
    assert [v["title"] for v in api(world.owner).get("/engage/votes/mine").json()] == ["草稿"]
