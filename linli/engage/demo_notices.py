"""The notices and deliberation part of a demo community, through the real services: a
must-confirm water cut for one building with some households confirmed online and some told in
person by the front desk, a pinned fire drill notice for everyone, a scheduled lift inspection;
an open proposal with its discussion and owners' backings, and one that reached the agenda and
the owners' committee answered."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.engage.choices_notices import ProposalStatus, ToldHow
from linli.engage.models import Notice, NoticeHousehold, NoticeRecipient
from linli.engage.services import notices, proposals
from linli.registry.models import Building


def _staff(community: Community, role: str):
    membership = Membership.objects.filter(community=community, role=role).select_related("user").first()
    if membership is None:
        raise RuntimeError(f"{community.code}: the notices demo needs a {role} (seed the registry first)")
    return membership.user


def _notices(community: Community, rng: random.Random) -> dict:
    manager = _staff(community, Role.PROPERTY_MANAGER)
    desk = _staff(community, Role.FRONT_DESK)
    first = Building.objects.filter(community=community).order_by("id").first()
    water = notices.do_create_notice(
        actor=manager,
        community_id=community.pk,
        title="关于明日停水的通知",
        body="因二次供水设备检修，明天上午9:00至12:00停水，请提前储水。给您带来不便，敬请谅解。",
        building_id=first.pk if first else None,
        must_confirm=True,
    )
    notices.do_publish_notice(actor=manager, notice_id=water.pk)
    drill = notices.do_create_notice(
        actor=manager,
        community_id=community.pk,
        title="小区消防演练通知",
        body="本周六上午10点在中心广场进行消防演练，欢迎居民参加。",
        pinned=True,
    )
    notices.do_publish_notice(actor=manager, notice_id=drill.pk)
    lift = notices.do_create_notice(
        actor=manager,
        community_id=community.pk,
        title="电梯年检安排",
        body="下周一起各楼电梯依次年检，每部约2小时。",
    )
    notices.do_publish_notice(actor=manager, notice_id=lift.pk, publish_at=timezone.now() + timedelta(days=1))
    for recipient in NoticeRecipient.objects.filter(notice=water).order_by("id"):
        notices.do_confirm_notice(
            actor=get_user_model().objects.get(pk=recipient.user_id), notice_id=water.pk
        )
    for recipient in NoticeRecipient.objects.filter(notice=drill).order_by("id"):
        notices.do_read_notice(actor=get_user_model().objects.get(pk=recipient.user_id), notice_id=drill.pk)
    unread = list(NoticeHousehold.objects.filter(notice=water, confirmed_at__isnull=True).order_by("id"))
    told = rng.sample(unread, k=len(unread) * 2 // 5) if unread else []
    for household in told:
        notices.do_record_told(
            actor=desk, notice_id=water.pk, house_id=household.house_id, how=rng.choice(ToldHow.values)
        )
    return {"notices": 3, "told_in_person": len(told)}


def _proposals(community: Community, rng: random.Random) -> dict:
    # demo.py imports this module for PARTS: the helper is read at call time, not import time
    from linli.engage.demo import owner_logins

    owners = owner_logins(community, rng, 12)
    if len(owners) < 4:
        return {"proposals": 0}
    committee = _staff(community, Role.COMMITTEE_MEMBER)
    manager = _staff(community, Role.PROPERTY_MANAGER)

    def rules(share_bp: int) -> None:
        proposals.do_update_deliberation_settings(
            actor=committee,
            community_id=community.pk,
            backing_share_bp=share_bp,
            answer_days=30,
            banned_words=["傻瓜"],
        )

    # One gathers enough owners (at a demo-sized share) and the committee answers it ...
    rules(100)
    parking = proposals.do_post_proposal(
        actor=owners[-1],
        community_id=community.pk,
        title="规范小区内停车，消防通道禁止停车",
        body="消防通道经常被占，建议划线并安排巡查。",
    )
    for owner in owners:
        if proposals.status_of(parking.pk) != ProposalStatus.OPEN:
            break
        try:
            proposals.do_back(actor=owner, proposal_id=parking.pk)
        except ServiceError:
            continue  # a co-owner's house already backed
    if proposals.status_of(parking.pk) == ProposalStatus.AGENDA:
        proposals.do_reply(
            actor=committee,
            proposal_id=parking.pk,
            body="业委会已讨论通过：下月起消防通道划线，保安每日巡查。",
        )
    # ... the other is still being discussed, its few backings short of the share
    rules(3000)
    charging = proposals.do_post_proposal(
        actor=owners[0],
        community_id=community.pk,
        title="建议在车棚增设电动车充电桩",
        body="晚上车棚充电位不够，很多人从楼上拉线充电，有安全隐患。建议增设20个充电口。",
    )
    for owner, text in zip(
        owners[1:4],
        ("非常需要，每天都抢不到位置", "赞成，楼道充电太危险了", "费用怎么算？希望公开"),
        strict=False,
    ):
        proposals.do_comment(actor=owner, proposal_id=charging.pk, body=text)
        try:
            proposals.do_back(actor=owner, proposal_id=charging.pk)
        except ServiceError:
            continue  # a co-owner's house already backed
    proposals.do_reply(
        actor=manager, proposal_id=charging.pk, body="物业已联系供电部门评估容量，下周公布方案。"
    )
    rules(500)
    return {"proposals": 2}


def seed_notices_demo(community: Community, *, seed: int = 42) -> dict:
    if Notice.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    rng = random.Random(f"{seed}:{community.code}:notices")
    return {
        "community": community.code,
        "created": True,
        **_notices(community, rng),
        **_proposals(community, rng),
    }
