"""Deliberation (ENG-2) through the API as the personas: posting and discussing, banned words,
reports and moderation, official replies by role, owners' backing by area to the agenda, the
answer deadline, and the refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.engage.models import Proposal
from linli.engage.services.proposals import reaches_threshold
from linli.testing import factories as f

pytestmark = pytest.mark.django_db


def post(api, user, community_id, title="增设充电桩", body="车棚里电动车太多，建议增设充电桩。"):
    return api(user).post(f"/engage/communities/{community_id}/proposals", {"title": title, "body": body})


def proposal_of(api, world) -> int:
    r = post(api, world.owner, world.a.id)
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def test_residents_post_and_discuss_and_everyone_sees_the_status(world, api):
    pid = proposal_of(api, world)
    r = api(world.tenant).post(f"/engage/proposals/{pid}/comments", {"body": "租客也关心这个"})
    assert r.status_code == 201 and r.json()["author"] == "李*梅"
    listed = api(world.neighbour).get(f"/engage/communities/{world.a.id}/proposals").json()
    assert [(p["id"], p["status"], p["author"]) for p in listed] == [(pid, "open", "王*国")]
    detail = api(world.neighbour).get(f"/engage/proposals/{pid}").json()
    assert detail["comments"][0]["body"] == "租客也关心这个" and detail["needed_share"] == 0.05
    assert api(world.staff).get(f"/engage/proposals/{pid}").status_code == 200


def test_outsiders_and_staff_without_a_home_cannot_post(world, api):
    r = post(api, world.outsider, world.a.id)
    assert r.status_code == 403 and r.json()["code"] == "not_a_resident"
    r = post(api, world.staff, world.a.id)
    assert r.status_code == 403 and r.json()["code"] == "not_a_resident"
    pid = proposal_of(api, world)
    assert api(world.outsider).get(f"/engage/proposals/{pid}").status_code == 404
    assert api(world.outsider).post(f"/engage/proposals/{pid}/comments", {"body": "x"}).status_code == 404


def test_banned_words_are_refused_with_a_clear_message(world, api):
    r = api(world.staff).put(
        f"/engage/communities/{world.a.id}/deliberation-settings",
        {"backing_share_bp": 500, "answer_days": 15, "banned_words": ["傻瓜", "  "]},
    )
    assert r.status_code == 200 and r.json()["banned_words"] == ["傻瓜"]
    r = post(api, world.owner, world.a.id, body="物业是傻瓜")
    assert r.status_code == 400 and r.json()["code"] == "banned_words"
    assert "「傻瓜」" in r.json()["message"] and "body" in r.json()["fields"]
    pid = proposal_of(api, world)
    r = api(world.tenant).post(f"/engage/proposals/{pid}/comments", {"body": "你才是傻瓜"})
    assert r.status_code == 400 and r.json()["code"] == "banned_words"
    assert (
        api(world.front_desk)
        .put(
            f"/engage/communities/{world.a.id}/deliberation-settings",
            {"backing_share_bp": 500, "answer_days": 15, "banned_words": []},
        )
        .status_code
        == 404
    )  # the front desk does not moderate


def test_a_report_goes_to_the_queue_and_a_hidden_post_keeps_its_reason(world, api):
    pid = proposal_of(api, world)
    cid = api(world.tenant).post(f"/engage/proposals/{pid}/comments", {"body": "广告：专业开锁"}).json()["id"]
    r = api(world.neighbour).post(f"/engage/proposal-comments/{cid}/report", {"reason": "广告"})
    assert r.status_code == 201
    again = api(world.neighbour).post(f"/engage/proposal-comments/{cid}/report", {"reason": "广告"})
    assert again.status_code == 409 and again.json()["code"] == "already_reported"
    queue = api(world.staff).get(f"/engage/communities/{world.a.id}/proposals/reports").json()
    assert [(q["comment_id"], q["content"]) for q in queue] == [(cid, "广告：专业开锁")]
    assert (
        api(world.front_desk).post(f"/engage/proposal-comments/{cid}/hide", {"reason": "广告"}).status_code
        == 403
    )
    r = api(world.staff).post(f"/engage/proposal-comments/{cid}/hide", {"reason": "商业广告"})
    assert r.status_code == 200 and r.json()["hidden"]
    assert api(world.staff).get(f"/engage/communities/{world.a.id}/proposals/reports").json() == []
    seen = api(world.owner).get(f"/engage/proposals/{pid}").json()["comments"][0]
    assert seen["hidden"] and seen["body"] == "" and seen["hidden_reason"] == "商业广告"
    assert api(world.staff).get(f"/engage/proposals/{pid}").json()["comments"][0]["body"] == "广告：专业开锁"
    r = api(world.staff).post(f"/engage/proposal-comments/{cid}/hide", {"reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "already_hidden"
    assert (
        api(world.staff).post(f"/engage/proposal-comments/{cid}/unhide", {"reason": "误判"}).json()["hidden"]
        is False
    )


def test_a_hidden_proposal_shows_its_status_and_reason_but_not_its_text(world, api):
    pid = proposal_of(api, world)
    r = api(world.staff).post(f"/engage/proposals/{pid}/hide", {"reason": "涉及个人隐私"})
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    seen = api(world.tenant).get(f"/engage/communities/{world.a.id}/proposals").json()[0]
    assert (seen["status"], seen["body"], seen["hidden_reason"]) == ("hidden", "", "涉及个人隐私")
    r = api(world.tenant).post(f"/engage/proposals/{pid}/comments", {"body": "?"})
    assert r.status_code == 409 and r.json()["code"] == "proposal_closed"
    assert (
        api(world.staff).post(f"/engage/proposals/{pid}/unhide", {"reason": "已核实"}).json()["status"]
        == "open"
    )


def test_official_replies_are_marked_by_the_staff_members_role(world, api):
    pid = proposal_of(api, world)
    committee = f.staff(world.a, "committee_member", "committee")
    r = api(world.staff).post(f"/engage/proposals/{pid}/reply", {"body": "物业将在下月评估"})
    assert r.status_code == 201 and r.json()["answerer"] == "property"
    assert (
        api(world.grid_worker)
        .post(f"/engage/proposals/{pid}/reply", {"body": "居委会支持"})
        .json()["answerer"]
        == "office"
    )
    assert (
        api(committee).post(f"/engage/proposals/{pid}/reply", {"body": "业委会收到"}).json()["answerer"]
        == "committee"
    )
    assert api(world.owner).post(f"/engage/proposals/{pid}/reply", {"body": "x"}).status_code == 403
    assert api(world.front_desk).post(f"/engage/proposals/{pid}/reply", {"body": "x"}).status_code == 403
    assert Proposal.objects.get(pk=pid).status == "open"  # no agenda item to answer yet


def test_owners_back_once_per_house_and_the_share_of_area_puts_it_on_the_agenda(world, api):
    # 1号楼: 301 (89.50 ㎡, 王建国) and 302 (120.00 ㎡, 赵邻居): 209.50 ㎡ in all; the share is 50%
    api(world.staff).put(
        f"/engage/communities/{world.a.id}/deliberation-settings",
        {"backing_share_bp": 5000, "answer_days": 10, "banned_words": []},
    )
    pid = proposal_of(api, world)
    r = api(world.tenant).post(f"/engage/proposals/{pid}/back")
    assert r.status_code == 403 and r.json()["code"] == "not_an_owner"
    r = api(world.owner).post(f"/engage/proposals/{pid}/back")
    assert r.status_code == 200 and (r.json()["backers"], r.json()["status"]) == (1, "open")
    assert Decimal(str(r.json()["backed_area"])) == Decimal("89.50") and r.json()["backed_by_me"]
    again = api(world.owner).post(f"/engage/proposals/{pid}/back")
    assert again.status_code == 409 and again.json()["code"] == "already_backed"
    before = timezone.now()
    r = api(world.neighbour).post(f"/engage/proposals/{pid}/back")
    assert (r.json()["backers"], r.json()["status"]) == (2, "agenda")
    p = Proposal.objects.get(pk=pid)
    assert before + timedelta(days=10) <= p.answer_due <= timezone.now() + timedelta(days=10)
    late = api(world.owner).post(f"/engage/proposals/{pid}/back")
    assert late.status_code == 409 and late.json()["code"] == "not_open"

    agenda = api(world.front_desk).get(f"/engage/communities/{world.a.id}/proposals/agenda").json()
    assert [(a["id"], a["overdue"]) for a in agenda] == [(pid, False)]
    Proposal.objects.filter(pk=pid).update(answer_due=timezone.now() - timedelta(hours=1))
    agenda = api(world.front_desk).get(f"/engage/communities/{world.a.id}/proposals/agenda").json()
    assert agenda[0]["overdue"] is True
    r = api(world.staff).post(f"/engage/proposals/{pid}/close")
    assert r.status_code == 409 and r.json()["code"] == "cannot_close"

    committee = f.staff(world.a, "committee_member", "committee")
    api(committee).post(f"/engage/proposals/{pid}/reply", {"body": "业委会决定下月施工"})
    p.refresh_from_db()
    assert p.status == "answered" and p.answered_at is not None
    agenda = api(world.front_desk).get(f"/engage/communities/{world.a.id}/proposals/agenda").json()
    assert (agenda[0]["status"], agenda[0]["overdue"]) == ("answered", False)
    assert api(world.staff).post(f"/engage/proposals/{pid}/close").json()["status"] == "closed"


def test_the_threshold_is_exact_in_decimals():
    assert reaches_threshold(Decimal("5.00"), Decimal("100.00"), 500)
    assert not reaches_threshold(Decimal("4.99"), Decimal("100.00"), 500)
    assert not reaches_threshold(Decimal("0"), Decimal("0"), 500)


def test_settings_are_checked(world, api):
    r = api(world.staff).put(
        f"/engage/communities/{world.a.id}/deliberation-settings",
        {"backing_share_bp": 0, "answer_days": 10, "banned_words": []},
    )
    assert r.status_code == 422
    assert (
        api(world.outsider).get(f"/engage/communities/{world.a.id}/deliberation-settings").status_code == 404
    )
