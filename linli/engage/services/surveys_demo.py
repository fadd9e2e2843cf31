"""The demo's surveys, activities and neighbours, through the services: last year's and this
year's satisfaction surveys (paper questionnaires entered by the property manager, so a
realistic share of households answered; this year's is still open and a little better), an open
facilities survey, an upcoming activity with sign-ups and a waiting list and a roomier one to
try, the yellow pages, and two mutual-help posts. Households with a login are left to answer
themselves. Idempotent: a community that has surveys is left as it is."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.engage.choices_surveys import QuestionKind
from linli.engage.models import Survey
from linli.engage.services import activities, activities_neighbours, surveys
from linli.registry import queries as registry_queries

# Mean rating per dimension last year; this year each improves by its second figure.
DIMENSION_MEANS = {
    "service": (3.6, 0.3),
    "repair": (3.1, 0.5),
    "cleaning": (3.9, 0.1),
    "greening": (3.8, 0.0),
    "security": (4.1, -0.1),
    "facilities": (3.0, 0.4),
    "fees": (3.2, 0.4),
    "overall": (3.5, 0.3),
}
COMMENTS = ("电梯维修响应慢", "保洁阿姨很负责", "希望公示物业费收支", "地库灯光太暗", "门岗态度好")
DIRECTORY = (
    ("物业服务中心", "property", "010-6000 1234", "1号楼底商", "8:00-20:00"),
    ("物业24小时值班", "emergency", "010-6000 1200", "", "24小时"),
    ("社区居委会", "government", "010-6000 2000", "社区服务站二楼", "工作日 9:00-17:00"),
    ("社区卫生服务站", "medical", "010-6000 3000", "南门外50米", "8:00-17:30"),
    ("便民维修（开锁换锁）", "repair", "010-6000 4000", "", "9:00-21:00"),
    ("生鲜超市", "shopping", "010-6000 5000", "北门底商", "7:00-22:00"),
)


def _local(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def _satisfaction(
    manager, community: Community, houses: list[int], rng, *, year: int, opens, closes, lift: bool
):
    survey = surveys.do_create_satisfaction_survey(
        actor=manager, community_id=community.pk, year=year, opens_at=opens, closes_at=closes
    )
    surveys.do_publish_survey(actor=manager, survey=survey)
    collected = min(timezone.localdate(), timezone.localtime(closes).date())
    for house_id in houses:
        answers = []
        for q in survey.questions.all():
            if q.kind == QuestionKind.RATING:
                mean, change = DIMENSION_MEANS[q.dimension]
                answers.append({"question_id": q.pk, "rating": _rating(rng, mean + (change if lift else 0))})
            elif rng.random() < 0.3:
                answers.append({"question_id": q.pk, "text": rng.choice(COMMENTS)})
        surveys.do_enter_paper_response(
            actor=manager, survey=survey, house_id=house_id, answers=answers, collected_on=collected
        )
    return survey


FACILITIES: list[dict] = [
    {
        "kind": QuestionKind.MULTIPLE,
        "text": "希望小区增加哪些设施？",
        "options": ["健身器材", "儿童乐园", "电动车充电桩", "快递柜", "长椅"],
    },
    {
        "kind": QuestionKind.SINGLE,
        "text": "您愿意为新增设施分摊费用吗？",
        "options": ["愿意", "视金额而定", "不愿意"],
    },
    {"kind": QuestionKind.TEXT, "text": "其他建议", "required": False},
]


def seed_surveys_demo(community: Community, *, seed: int = 42) -> dict:
    if Survey.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    rng = random.Random(f"{seed}:{community.code}:surveys")
    membership = Membership.objects.filter(community=community, role=Role.PROPERTY_MANAGER).first()
    if membership is None:
        raise RuntimeError(
            f"{community.code}: the surveys demo needs a property manager (seed the registry first)"
        )
    manager = membership.user
    houses = list(
        registry_queries.houses(manager)
        .filter(community=community)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    with_login = [h for h in houses if registry_queries.household_user_ids(h)]
    paper = [h for h in houses if h not in with_login]
    today = timezone.localdate()
    last = _satisfaction(
        manager,
        community,
        rng.sample(paper, min(len(paper), 48)),
        rng,
        year=today.year - 1,
        opens=_local(today.replace(year=today.year - 1, month=11, day=1), 9),
        closes=_local(today.replace(year=today.year - 1, month=11, day=30), 18),
        lift=False,
    )
    surveys.do_close_survey(actor=manager, survey=last)
    _satisfaction(
        manager,
        community,
        rng.sample(paper, min(len(paper), 36)),
        rng,
        year=today.year,
        opens=_local(today - timedelta(days=10), 9),
        closes=_local(today + timedelta(days=20), 18),
        lift=True,
    )
    facilities = surveys.do_create_survey(
        actor=manager,
        community_id=community.pk,
        title="小区公共设施需求调查",
        questions=FACILITIES,
        opens_at=_local(today - timedelta(days=3), 9),
        closes_at=_local(today + timedelta(days=14), 18),
        anonymous=False,
    )
    surveys.do_publish_survey(actor=manager, survey=facilities)
    _activities(manager, community, _users(with_login))
    return {"community": community.code, "created": True}


def _users(house_ids: list[int]) -> list:
    ids = [u for h in house_ids for u in registry_queries.household_user_ids(h)]
    by_id = get_user_model().objects.in_bulk(ids)
    return [by_id[i] for i in dict.fromkeys(ids)]


def _activities(manager, community: Community, residents: list) -> None:
    start = _local(timezone.localdate() + timedelta(days=5), 9)
    fair = activities.do_create_activity(
        actor=manager,
        community_id=community.pk,
        title="社区义诊：测血压血糖",
        place="社区服务站一楼",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=4,
        max_party=3,
        description="社区卫生服务站医生坐诊，免费测量血压、血糖，老人优先。",
    )
    for resident, party in zip(residents, (3, 2), strict=False):
        activities.do_sign_up(actor=resident, activity=fair, party_size=party)  # the second one waits
    later = _local(timezone.localdate() + timedelta(days=12), 19)
    activities.do_create_activity(
        actor=manager,
        community_id=community.pk,
        title="中秋游园会",
        place="中心花园",
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        capacity=60,
        description="猜灯谜、做月饼，欢迎家人一起参加。",
    )
    for name, category, phone, address, hours in DIRECTORY:
        activities_neighbours.do_save_entry(
            actor=manager,
            community_id=community.pk,
            values={"name": name, "category": category, "phone": phone, "address": address, "hours": hours},
        )
    if residents:
        ask = activities_neighbours.do_post_help(
            actor=residents[0],
            community_id=community.pk,
            kind="ask",
            title="帮楼下独居老人取快递",
            body="3单元的张奶奶腿脚不便，驿站的快递有人顺路能帮忙带一下吗？",
        )
        if len(residents) > 1:
            activities_neighbours.do_reply_help(
                actor=residents[1], post=ask, body="我下班路过驿站，可以带。", offers_help=True
            )
        activities_neighbours.do_post_help(
            actor=residents[-1],
            community_id=community.pk,
            kind="offer",
            title="周末可以帮忙辅导小学数学",
            body="本人是退休教师，周六上午有空，可在社区服务站辅导。",
        )
