"""Test support for patrols, plans and playbooks: a guard on the 秩序维护 team of community A, a
route of three tagged checkpoints walked daily, the categories findings and plans open orders
in, and the ids of A's objects for the outsider and narrowed-staff walks."""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from PIL import Image

from linli.testing import factories as f
from linli.workorders.choices import Kind, TeamKind
from linli.workorders.models import Category, PatrolRoute, PatrolRun, PatrolSchedule, Team
from linli.workorders.services import patrols as patrol_services
from linli.workorders.services import plans, playbooks, setup

TAGS = ("A-GATE-01", "A-B1-PUMP", "A-ROOF-01")


@dataclass
class Patrols:
    guard: object  # a security guard of A, on the team
    team: Team
    finding: Category  # 巡检发现: what an abnormal check-in opens
    maintenance: Category  # 灭火器检查, a maintenance category
    route: PatrolRoute


def patrols(world) -> Patrols:
    admin, community_id = world.admin, world.a.id
    guard = f.staff(world.a, "security", "patrol_guard")
    team = setup.do_create_team(
        actor=admin, community_id=community_id, name="秩序维护部", kind=TeamKind.PROPERTY
    )
    setup.do_add_handler(actor=admin, team=team, user=guard, skills=["patrol"])
    finding = setup.do_create_category(
        actor=admin,
        community_id=community_id,
        code="patrol-finding",
        name="巡检发现",
        kind=Kind.REPAIR,
        default_team=team,
        public=False,
    )
    maintenance = setup.do_create_category(
        actor=admin,
        community_id=community_id,
        code="extinguisher",
        name="灭火器检查",
        kind=Kind.MAINTENANCE,
        default_team=team,
        public=False,
    )
    route = patrol_services.do_create_route(
        actor=admin,
        community_id=community_id,
        name="夜间巡逻",
        team=team,
        report_category=finding,
        checkpoints=[
            {"name": "东门岗亭", "tag_id": TAGS[0]},
            {"name": "地下泵房", "tag_id": TAGS[1], "building_id": world.building.id},
            {"name": "1号楼天台", "tag_id": TAGS[2], "building_id": world.building.id},
        ],
    )
    return Patrols(guard, team, finding, maintenance, route)


def schedule_now(admin, route: PatrolRoute, now: datetime | None = None) -> PatrolSchedule:
    """A daily schedule due at the current minute, so that a run's window is open right now."""
    at = timezone.localtime(now or timezone.now())
    return patrol_services.do_add_schedule(actor=admin, route=route, times=[f"{at:%H:%M}"], window_minutes=60)


def open_run(admin, route: PatrolRoute) -> PatrolRun:
    """The run of `route` due this minute, open for check-ins."""
    now = timezone.now()
    schedule_now(admin, route, now)
    patrol_services.open_runs(now)
    return PatrolRun.objects.filter(route=route, due_at__lte=now).latest("due_at")


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def probe_ids(world) -> dict:
    """Ids of community A's patrol, plan and playbook objects for the walks."""
    p = patrols(world)
    run = open_run(world.admin, p.route)
    check_in = patrol_services.do_check_in(actor=p.guard, run=run, tag_id=TAGS[0], note="门锁完好")
    patrol_services.do_attach_check_in_photo(actor=p.guard, check_in=check_in, data=photo())
    plan = plans.do_create_plan(
        actor=world.admin,
        community_id=world.a.id,
        name="每月灭火器检查",
        category=p.maintenance,
        every_days=30,
        next_due=timezone.localdate() + timedelta(days=30),
    )
    playbook = playbooks.do_seed_playbooks(actor=world.admin, community_id=world.a.id)[0]
    return {
        "route_id": p.route.id,
        "run_id": run.id,
        "check_in_id": check_in.id,
        "plan_id": plan.id,
        "playbook_id": playbook.id,
    }
