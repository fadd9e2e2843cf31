"""Work-order demo data for a demo community: `seed_workorders_demo(community)`, called by the
demo seeder after billing. Idempotent: a community that already has categories is left as it is.

Through the real services: the repair crew, the guards and the grid as teams; the categories a
resident reports in (with the decoration application's own questions) and the grid's incident
types; the price list; and a month of requests taken at the desk (代报) for households, moved
through the state machine to where real ones would be — most closed and rated, some in progress,
a few overdue — so that the dispatch and SLA boards and the reports have something to show. The
demo owner's leak is not seeded: reporting it is the demo's journey.
"""

import random
from datetime import timedelta

from django.utils import timezone

from linli.core.models import Community, Membership
from linli.core.roles import Role
from linli.registry.models import House
from linli.workorders.choices import Kind, Priority, TeamKind
from linli.workorders.models import Category, Request
from linli.workorders.services import flow, intake, setup

CATEGORIES = (
    # code, name, kind, skill, team key, priority, form fields
    ("leak", "水管漏水", Kind.REPAIR, "plumbing", "crew", Priority.HIGH, ()),
    ("power", "电路故障", Kind.REPAIR, "electric", "crew", Priority.HIGH, ()),
    ("door", "门窗维修", Kind.REPAIR, "carpentry", "crew", Priority.NORMAL, ()),
    ("facility", "公共设施报修", Kind.REPAIR, "facilities", "crew", Priority.NORMAL, ()),
    ("noise", "噪音投诉", Kind.COMPLAINT, "", "guards", Priority.NORMAL, ()),
    ("clean", "环境卫生(随手拍)", Kind.SNAPSHOT, "", "guards", Priority.LOW, ()),
    ("idea", "意见建议", Kind.SUGGESTION, "", "", Priority.LOW, ()),
    (
        "decoration",
        "装修申请",
        Kind.DECORATION,
        "",
        "",
        Priority.NORMAL,
        (
            {"key": "contractor", "label": "施工单位", "required": True},
            {"key": "days", "label": "工期(天)", "required": True},
            {"key": "scope", "label": "装修范围", "required": False, "choices": ["局部", "全屋"]},
        ),
    ),
    ("lost", "失物招领", Kind.LOST_FOUND, "", "guards", Priority.LOW, ()),
    ("fire-lane", "占用消防通道", Kind.INCIDENT, "", "", Priority.HIGH, ()),
    ("corridor", "楼道堆物", Kind.INCIDENT, "", "", Priority.NORMAL, ()),
    ("elevator", "电梯困人", Kind.INCIDENT, "", "crew", Priority.URGENT, ()),
)
PRICES = (
    ("更换水龙头", "个", 8000),
    ("疏通下水道", "次", 10000),
    ("更换灯具", "个", 5000),
    ("上门人工费", "次", 3000),
)
PROBLEMS = {
    "leak": ("厨房水管漏水", "卫生间地漏返水", "暖气片接口滴水"),
    "power": ("客厅灯不亮", "插座跳闸", "楼道灯坏了"),
    "door": ("单元门闭门器坏了", "窗户关不严"),
    "facility": ("健身器材松动", "小区路灯不亮", "垃圾桶破损"),
    "noise": ("楼上夜间装修噪音", "广场舞音量过大"),
    "clean": ("绿化带有垃圾", "楼道有小广告"),
}


def _staff(community: Community, role: str):
    membership = Membership.objects.filter(community=community, role=role).select_related("user").first()
    if membership is None:
        raise RuntimeError(f"{community.code}: the work-order demo needs a {role} (seed the registry first)")
    return membership.user


def seed_workorders_demo(community: Community, *, seed: int = 42) -> dict:
    if Category.objects.filter(community=community).exists():
        return {"community": community.code, "created": False}
    rng = random.Random(f"{seed}:{community.code}:workorders")
    admin = _staff(community, Role.COMMUNITY_ADMIN)
    manager = _staff(community, Role.PROPERTY_MANAGER)
    desk = _staff(community, Role.FRONT_DESK)
    tech = _staff(community, Role.TECHNICIAN)
    guard = _staff(community, Role.SECURITY)
    grid_worker = _staff(community, Role.GRID_WORKER)

    teams = {
        "crew": setup.do_create_team(
            actor=admin,
            community_id=community.pk,
            name="工程维修部",
            kind=TeamKind.PROPERTY,
            supervisor=manager,
        ),
        "guards": setup.do_create_team(
            actor=admin,
            community_id=community.pk,
            name="秩序维护部",
            kind=TeamKind.PROPERTY,
            supervisor=manager,
        ),
        "grid": setup.do_create_team(
            actor=admin, community_id=community.pk, name="社区网格", kind=TeamKind.GRID
        ),
    }
    street = setup.do_create_team(
        actor=admin, community_id=community.pk, name="街道城管科", kind=TeamKind.STREET_OFFICE
    )
    setup.do_add_handler(
        actor=admin, team=teams["crew"], user=tech, skills=["plumbing", "electric", "carpentry", "facilities"]
    )
    setup.do_add_handler(actor=admin, team=teams["guards"], user=guard)
    setup.do_add_handler(actor=admin, team=teams["grid"], user=grid_worker)
    categories = {}
    for code, name, kind, skill, team, priority, fields in CATEGORIES:
        categories[code] = setup.do_create_category(
            actor=admin,
            community_id=community.pk,
            code=code,
            name=name,
            kind=kind,
            skill=skill,
            default_team=teams.get(team),
            default_priority=priority,
            public=kind != Kind.INCIDENT,
            form_fields=list(fields),
        )
    for name, unit, fen in PRICES:
        setup.do_create_price(actor=admin, community_id=community.pk, name=name, unit=unit, price_fen=fen)

    houses = list(House.objects.filter(community=community).order_by("id")[:400])
    made = 0
    for _ in range(40 if len(houses) > 40 else 8):
        code = rng.choice(tuple(PROBLEMS))
        house = rng.choice(houses)
        request = intake.open_request(
            actor=desk,
            community_id=community.pk,
            category=categories[code],
            description=rng.choice(PROBLEMS[code]),
            house_id=house.pk,
            contact_name="住户",
            contact_phone="13900001111",
        )
        _advance(request, rng, tech=tech, guard=guard, manager=manager)
        made += 1
    # A car in the fire lane: the grid worker could not move it and escalated to the street office.
    building = houses[0].building_id if houses else None
    incident = intake.open_request(
        actor=grid_worker,
        community_id=community.pk,
        category=categories["fire-lane"],
        description="京A·12345 占用消防通道超过10分钟，电话联系车主未接",
        building_id=building,
        place="消防通道",
    )
    if incident.assignee_id == grid_worker.pk:
        flow.do_transition(
            actor=grid_worker,
            request=incident,
            action="transfer",
            team=street,
            reason="多次劝离无效，需城管执法",
        )
    return {"community": community.code, "created": True, "requests": made + 1, "categories": len(categories)}


def _advance(request: Request, rng: random.Random, *, tech, guard, manager) -> None:
    """Moves a request as far as a month of work would have, and dates it back."""
    days_ago = rng.randint(0, 30)
    stage = rng.random()
    worker = request.assignee if request.assignee_id in (tech.pk, guard.pk) else None
    if worker is not None and stage > 0.15:
        for action in ("ack", "depart", "start", "complete"):
            request = flow.do_transition(actor=worker, request=request, action=action)
            if stage < 0.3 and action == "start":
                break
        if request.status == "done" and stage > 0.4:
            request = flow.do_transition(actor=manager, request=request, action="check")
            request = flow.do_transition(actor=manager, request=request, action="close")
            Request.objects.filter(pk=request.pk).update(rating=rng.choice((3, 4, 5, 5, 5)))
    back = timedelta(days=days_ago, hours=rng.randint(0, 8))
    moved = {
        f: getattr(request, f) - back
        for f in ("created_at", "respond_due", "resolve_due", "responded_at", "resolved_at", "closed_at")
        if getattr(request, f)
    }
    Request.objects.filter(pk=request.pk).update(**moved)
    request.events.update(at=timezone.now() - back)
