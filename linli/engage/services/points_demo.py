"""Points and the convention in a demo community (`seed_points_demo`, one of engage's demo
PARTS), through the real services: the earning rules, a catalogue with stock, a few weeks of
garbage check-ins, volunteer hours and activity points for the first households (one household's
hours still waiting for staff), a redemption handed over and one waiting at the counter, the
published convention, and a violation still inside its appeal window. Idempotent: a community
that already has rules is left as it is."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.engage import queries_points as points_queries
from linli.engage.models import EarningRule
from linli.engage.services import convention, points, points_catalogue
from linli.registry import queries as registry_queries
from linli.registry.models import House

CATALOGUE = (
    # name, description, price, stock
    ("免费洗车一次", "地下车库洗车点，凭兑换记录到物业服务中心领取洗车券", 50, 10),
    ("社区超市代金券20元", "小区东门社区超市通用", 200, 30),
    ("物业费抵扣券50元", "缴纳物业费时抵扣，每户每年限用两张", 500, 20),
    ("家电清洗一次", "油烟机或空调任选其一，上门服务", 300, 0),
)
CONVENTION = """第一条 为建设文明、和谐、宜居的幸福里小区，经业主大会讨论通过，制定本公约。
第二条 垃圾分类投放：厨余垃圾、可回收物、有害垃圾和其他垃圾分别投放到指定桶内，不得混投，不得在楼道堆放垃圾。
第三条 爱护公共环境：不在楼道、消防通道堆放杂物，不乱贴小广告，不高空抛物。
第四条 文明养犬：出门牵绳，及时清理宠物粪便，按规定办理犬只登记。
第五条 规范停车：车辆停放在指定车位，电动自行车不得进楼入户充电。
第六条 邻里和睦：装修、娱乐活动避开休息时间，互相尊重，互帮互助。
第七条 违反本公约的，由物业服务企业记录并告知住户，住户可在规定期限内申诉；经确认的，按积分规则扣减积分。"""


def _staff(community: Community, role: str):
    membership = Membership.objects.filter(community=community, role=role).select_related("user").first()
    if membership is None:
        raise RuntimeError(f"{community.code}: the points demo needs a {role} (seed the registry first)")
    return membership.user


def seed_points_demo(community: Community, *, seed: int = 42) -> dict:
    if EarningRule.objects.filter(community=community).exists():
        return {"created": False}
    rng = random.Random(f"{seed}:{community.code}:points")
    manager = _staff(community, Role.PROPERTY_MANAGER)
    cid = community.pk
    points.seed_default_rules(cid)
    items = [
        points_catalogue.do_create_item(
            actor=manager, community_id=cid, name=name, description=text, price=price, stock=stock
        )
        for name, text, price, stock in CATALOGUE
    ]
    houses = list(House.objects.filter(community=community, type="residential").order_by("id")[:12])
    now = timezone.now()
    one_waiting = False
    for n, house in enumerate(houses):
        for days_ago in sorted(rng.sample(range(1, 40), rng.randint(8, 25)), reverse=True):
            points.do_record_garbage_checkin(
                actor=manager, community_id=cid, house_id=house.pk, now=now - timedelta(days=days_ago)
            )
        for k in range(rng.randint(0, 3)):
            points.do_award(
                actor=manager,
                community_id=cid,
                rule_code="activity",
                house_id=house.pk,
                source_ref=f"demo-activity:{house.pk}:{k}",
                text="参加社区活动",
            )
        residents = registry_queries.household_user_ids(house.pk)
        if not residents:  # hours are logged by a resident on the phone
            continue
        log = points.do_log_volunteer_hours(
            actor=get_user_model().objects.get(pk=residents[0]),
            house_id=house.pk,
            day=(now - timedelta(days=rng.randint(1, 20))).date(),
            hours=Decimal(rng.choice((2, 4, 6, 8)) + n % 2) / 2,
            description=rng.choice(("清扫楼道", "疫苗接种点引导", "看望独居老人", "垃圾分类督导")),
        )
        if one_waiting:
            points.do_confirm_volunteer(actor=manager, log=log)
        one_waiting = True  # the first household's hours wait in the staff's queue
    richest = sorted(houses, key=lambda h: -points_queries.balance(h.pk))[:2]
    for n, house in enumerate(richest):
        if points_queries.balance(house.pk) >= items[0].price:
            done = points_catalogue.do_redeem(actor=manager, item=items[0], house_id=house.pk)
            if n == 0:  # handed over; the other one waits at the counter
                points_catalogue.do_fulfil_redemption(actor=manager, redemption=done)
    convention.do_publish_convention(
        actor=manager,
        community_id=cid,
        title=f"{community.name}社区公约",
        body=CONVENTION,
        changes="首次发布",
    )
    if houses:
        convention.do_record_violation(
            actor=manager,
            community_id=cid,
            house_id=houses[-1].pk,
            article="第三条",
            note="楼道消防通道堆放纸箱，经提醒未清理",
            points=20,
        )
    return {"created": True, "households": len(houses), "items": len(items)}
