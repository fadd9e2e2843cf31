"""Emergency playbooks (GRID-4): one tap opens the incident and every task of the plan at once,
each dispatched by itself (an elevator entrapment: calm the people and call the lift company,
the property's engineer on site, tell the grid worker).

`default_playbooks` seeds the four standard plans of a community (for the demo and new
communities), each with an incident category of its own.
"""

from django.db import transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict
from linli.core.permissions import require
from linli.core.roles import Action
from linli.workorders.choices import Kind, Priority, Source
from linli.workorders.models import Playbook, PlaybookTask, Request
from linli.workorders.models.patrols import PlaybookCode
from linli.workorders.services import intake
from linli.workorders.services.setup import new_category

P, U, H = PlaybookCode, Priority.URGENT, Priority.HIGH
DEFAULTS = {
    P.ELEVATOR_ENTRAPMENT: [
        (_("安抚被困人员并通知电梯维保"), U),
        (_("物业工程到场"), U),
        (_("通知网格员"), H),
    ],
    P.FIRE: [
        (_("拨打119并组织疏散"), U),
        (_("保安清理消防通道、引导消防车"), U),
        (_("工程切断非消防电源和燃气"), U),
        (_("通知网格员和街道"), H),
    ],
    P.FLOODING: [
        (_("关闭进水阀门"), U),
        (_("启动排水、转移地下室物资"), U),
        (_("切断受影响区域电源并设置警示"), H),
    ],
    P.GAS: [
        (_("疏散人员，禁止明火和开关电器"), U),
        (_("通知燃气公司抢修"), U),
        (_("开窗通风"), H),
        (_("通知网格员"), H),
    ],
}


@transaction.atomic
def default_playbooks(community_id: int) -> list[Playbook]:
    """The standard playbooks the community does not have yet, with their incident categories."""
    have = set(Playbook.objects.filter(community_id=community_id).values_list("code", flat=True))
    made = []
    for code, tasks in DEFAULTS.items():
        if code in have:
            continue
        name = _t("%(plan)s应急预案") % {"plan": code.label}
        category = new_category(
            community_id,
            code=f"emergency-{code.value.replace('_', '-')}",
            name=code.label,
            kind=Kind.INCIDENT,
            default_priority=U,
            public=False,
        )
        playbook = Playbook.objects.create(community_id=community_id, code=code, name=name, category=category)
        PlaybookTask.objects.bulk_create(
            PlaybookTask(playbook=playbook, order=i, title=str(title), category=category, priority=priority)
            for i, (title, priority) in enumerate(tasks, start=1)
        )
        made.append(playbook)
    return made


@transaction.atomic
def do_trigger_playbook(
    *, actor: Actor, playbook: Playbook, building_id: int | None = None, note: str = ""
) -> Request:
    """The incident (urgent) and one child request per task, all or nothing; returns the incident."""
    require(actor, Action.WORKORDER_DISPATCH, playbook.community_id, building_id)
    if not playbook.active:
        raise Conflict("playbook_inactive", _("该预案已停用"))
    note = note.strip()
    incident = intake.open_request(
        actor=actor,
        community_id=playbook.community_id,
        category=playbook.category,
        description=f"{playbook.name}：{note}" if note else playbook.name,
        source=Source.PLAYBOOK,
        priority=Priority.URGENT,
        building_id=building_id,
    )
    for task in playbook.tasks.select_related("category"):
        intake.open_request(
            actor=actor,
            community_id=playbook.community_id,
            category=task.category,
            description=f"{task.title}（{playbook.name}）",
            source=Source.PLAYBOOK,
            priority=task.priority,
            building_id=building_id,
            parent=incident,
        )
    audit.record(
        actor=actor, action="workorder_playbook_triggered", obj=incident, community_id=playbook.community_id
    )
    return incident


@transaction.atomic
def do_seed_playbooks(*, actor: Actor, community_id: int) -> list[Playbook]:
    """The standard playbooks, added by a manager from the console (those missing only)."""
    require(actor, Action.WORKORDER_SETUP, community_id)
    made = default_playbooks(community_id)
    for playbook in made:
        audit.record(
            actor=actor, action="workorder_playbook_created", obj=playbook, community_id=community_id
        )
    return made
