"""The notice and deliberation pages as the personas: the resident's list, notice with confirm,
proposals with back and comment; the console's compose with preview, rates and told in person,
moderation."""

import pytest

from linli.engage.models import Notice, NoticeHousehold, Proposal
from linli.testing import factories as f
from linli.testing.engage_notices import published_notice

pytestmark = pytest.mark.django_db


def test_a_resident_reads_and_confirms_a_notice(world, browser):
    notice = published_notice(world.staff, world.a.id, must_confirm=True)
    page = browser(world.owner).get("/engage/notices/")
    assert (
        page.status_code == 200 and "停水通知" in page.content.decode() and "待确认" in page.content.decode()
    )
    detail = browser(world.owner).get(f"/engage/notices/{notice.pk}/")
    assert "我已知晓" in detail.content.decode()
    r = browser(world.owner).post(f"/engage/notices/{notice.pk}/confirm")
    assert r.status_code == 302
    assert NoticeHousehold.objects.get(notice=notice, house=world.house).confirmed_by_id == world.owner.id
    assert (
        "您家已确认收到此通知" in browser(world.tenant).get(f"/engage/notices/{notice.pk}/").content.decode()
    )
    assert browser(world.outsider).get(f"/engage/notices/{notice.pk}/").status_code == 404


def test_staff_compose_see_rates_and_record_told_in_person(world, browser):
    client = browser(world.front_desk)
    form = client.get(f"/engage/staff/{world.a.id}/notices/new")
    assert form.status_code == 200
    preview = client.post(f"/engage/staff/{world.a.id}/notices/preview", {"audience": "owners"})
    assert "将送达 2 户" in preview.content.decode()
    r = client.post(
        f"/engage/staff/{world.a.id}/notices/new",
        {"title": "明天停电", "body": "明天8点到10点停电。", "audience": "residents", "must_confirm": "1"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    notice = Notice.objects.get(title="明天停电")
    assert notice.status == "published" and notice.households == 2
    page = client.get(f"/engage/staff/{world.a.id}/notices/{notice.pk}/").content.decode()
    assert "1号楼-1单元-302" in page and "赵*居" in page and "0%" in page
    r = client.post(
        f"/engage/staff/{world.a.id}/notices/{notice.pk}/told",
        {"house": world.neighbour_house.id, "how": "visit"},
    )
    assert r.status_code == 302
    page = client.get(f"/engage/staff/{world.a.id}/notices/{notice.pk}/").content.decode()
    assert "上门告知" in page and "50%" in page
    bad = client.post(
        f"/engage/staff/{world.a.id}/notices/new", {"title": "x", "body": "", "audience": "care"}
    )
    assert bad.status_code == 422
    assert browser(world.technician).get(f"/engage/staff/{world.a.id}/notices/").status_code == 404


def test_a_resident_posts_backs_and_discusses_and_staff_moderate(world, browser):
    owner = browser(world.owner)
    r = owner.post("/engage/proposals/new", {"title": "增设长椅", "body": "小区花园需要更多长椅"})
    assert r.status_code == 302
    proposal = Proposal.objects.get(title="增设长椅")
    owner.post(f"/engage/proposals/{proposal.pk}/act", {"action": "back"})
    browser(world.tenant).post(f"/engage/proposals/{proposal.pk}/act", {"action": "comment", "body": "赞成"})
    proposal.refresh_from_db()
    assert proposal.backers == 1
    page = browser(world.neighbour).get(f"/engage/proposals/{proposal.pk}/").content.decode()
    assert "赞成" in page and "李*梅" in page and "王*国" in page
    assert "增设长椅" in browser(world.neighbour).get("/engage/proposals/").content.decode()

    staff = browser(world.staff)
    console = staff.get(f"/engage/staff/{world.a.id}/proposals/{proposal.pk}/").content.decode()
    assert "以「物业公司」名义答复" in console
    staff.post(
        f"/engage/staff/{world.a.id}/proposals/{proposal.pk}/act", {"action": "reply", "body": "物业会采购"}
    )
    assert proposal.comments.filter(answerer="property").exists()
    comment = proposal.comments.get(body="赞成")
    staff.post(
        f"/engage/staff/{world.a.id}/proposals/{proposal.pk}/act",
        {"action": "hide_comment", "comment": comment.pk, "reason": "测试隐藏"},
    )
    comment.refresh_from_db()
    assert comment.hidden_reason == "测试隐藏"
    r = staff.post(
        f"/engage/staff/{world.a.id}/moderation/",
        {"share_percent": "10", "answer_days": "20", "banned_words": "骂人 广告"},
    )
    assert r.status_code == 302
    r = owner.post("/engage/proposals/new", {"title": "广告位", "body": "出租广告位"})
    assert r.status_code == 422 and "「广告」" in r.content.decode()
    assert staff.get(f"/engage/staff/{world.a.id}/moderation/").status_code == 200
    assert staff.get(f"/engage/staff/{world.a.id}/proposals/").status_code == 200
    committee = f.staff(world.a, "front_desk", "desk2")
    assert browser(committee).get(f"/engage/staff/{world.a.id}/moderation/").status_code == 404
