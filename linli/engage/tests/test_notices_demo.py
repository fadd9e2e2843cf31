"""The demo's notices and deliberation: read rates with partial confirmations and households told
in person, a scheduled notice, an open proposal with discussion and backings, an answered agenda
item; seeding again adds nothing."""

import pytest
from django.core.management import call_command

from linli.core.models import Community
from linli.demo import builder as demo
from linli.engage.demo_notices import seed_notices_demo
from linli.engage.models import Notice, NoticeHousehold, Proposal

pytestmark = pytest.mark.django_db


def test_the_demo_has_notices_with_read_rates_and_proposals(db):
    call_command("seed_demo", "--small", stdout=open("/dev/null", "w"))
    community = Community.objects.get(code=demo.SITES[0].code)
    water = Notice.objects.get(community=community, title="关于明日停水的通知")
    rows = NoticeHousehold.objects.filter(notice=water)
    told = rows.filter(told_at__isnull=False).count()
    assert 0 < told < rows.count()
    assert rows.filter(confirmed_at__isnull=True, told_at__isnull=True).exists()
    assert Notice.objects.filter(community=community, status="scheduled").count() == 1
    charging = Proposal.objects.get(community=community, title__startswith="建议在车棚")
    assert charging.status == "open" and charging.backers >= 3 and charging.comments.count() >= 4
    parking = Proposal.objects.get(community=community, title__startswith="规范小区")
    assert parking.status == "answered" and parking.comments.filter(answerer="committee").exists()
    assert seed_notices_demo(community) == {"community": community.code, "created": False}
