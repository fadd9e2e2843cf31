"""Automations (IOT-5): a trigger (an alarm of a type, or a time of day), then steps in order —
commands, broadcasts, messages, delays — with a run mode for a trigger that comes while a run
is still going, as in home-automation scenes: `single` ignores it, `restart` cancels the running
one and starts again, `queued` runs it after the one before.

A run advances inline as far as it can when triggered, and the scheduler resumes it after a
delay (`run_due`), so "fans on, wait 10 minutes, fans off" survives a restart."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import NotFound, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.iot.choices import RunMode, RunStatus
from linli.iot.models import Alarm, Automation, AutomationRun, Device
from linli.iot.rules.spec import NAME
from linli.iot.services import broadcasts, routing
from linli.iot.services.commands import send_command
from linli.notify.services import notify

log = logging.getLogger(__name__)
UNFINISHED = (RunStatus.WAITING, RunStatus.RUNNING)
STEP_TYPES = ("command", "broadcast", "notify", "delay")
MAX_STEPS = 20


def clean(trigger: dict, steps: list) -> tuple[dict, list]:
    """The trigger and steps, checked; errors name the step."""
    # An alarm type in the rules' grammar: an empty or misspelt one would never fire.
    if not isinstance(trigger, dict) or not (
        (isinstance(trigger.get("alarm_type"), str) and NAME.match(trigger["alarm_type"]))
        or _time(trigger.get("at")) is not None
    ):
        raise ServiceError(
            "bad_trigger", _("触发条件应为告警类型或每天的时间(HH:MM)"), fields={"trigger": ""}
        )
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise ServiceError("bad_steps", _("步骤应为1到20个"), fields={"steps": ""})
    for i, step in enumerate(steps):
        kind = step.get("type") if isinstance(step, dict) else None
        ok = kind in STEP_TYPES and (
            (kind == "delay" and isinstance(step.get("seconds"), int) and 1 <= step["seconds"] <= 86400)
            or (
                kind == "command"
                and isinstance(step.get("target"), str)
                and isinstance(step.get("name"), str)
            )
            or (kind == "broadcast" and isinstance(step.get("text"), str) and 0 < len(step["text"]) <= 200)
            or (kind == "notify" and isinstance(step.get("roles"), list))
        )
        if not ok:
            raise ServiceError("bad_steps", _("第%(n)s步不完整") % {"n": i + 1}, fields={f"steps.{i}": ""})
    return trigger, steps


def _time(value) -> tuple[int, int] | None:
    try:
        hour, minute = (int(p) for p in str(value).split(":"))
    except ValueError:
        return None
    return (hour, minute) if 0 <= hour < 24 and 0 <= minute < 60 else None


@transaction.atomic
def do_save_automation(
    *,
    actor: Actor,
    community_id: int,
    name: str,
    trigger: dict,
    steps: list,
    mode: str,
    enabled: bool = True,
    automation_id: int | None = None,
) -> Automation:
    require(actor, Action.IOT_SETUP, community_id)
    if mode not in RunMode.values:
        raise ServiceError("bad_mode", _("运行方式无效"), fields={"mode": mode[:20]})
    trigger, steps = clean(trigger, steps)
    values = {
        "name": name.strip()[:60] or str(_("联动场景")),
        "trigger": trigger,
        "steps": steps,
        "mode": mode,
        "enabled": enabled,
    }
    if automation_id is None:
        automation = Automation.objects.create(community_id=community_id, **values)
    else:
        if not Automation.objects.filter(pk=automation_id, community_id=community_id).update(
            **values, updated_at=timezone.now()
        ):
            raise ServiceError("not_found", _("联动场景不存在"), status=404)
        automation = Automation.objects.get(pk=automation_id)
    audit.record(actor=actor, action="iot.automation_saved", obj=automation, community_id=community_id)
    return automation


@transaction.atomic
def do_set_automation_enabled(*, actor: Actor, automation_id: int, enabled: bool) -> Automation:
    """Switched on or off without touching its steps; a run already going finishes."""
    automation = Automation.objects.filter(pk=automation_id).first()
    if automation is None:
        raise NotFound()
    require(actor, Action.IOT_SETUP, automation.community_id)
    changed = Automation.objects.filter(pk=automation.pk, enabled=not enabled).update(
        enabled=enabled, updated_at=timezone.now()
    )
    automation.refresh_from_db()
    if changed:  # a second click changes nothing and records nothing
        audit.record_change(
            actor=actor,
            obj=automation,
            community_id=automation.community_id,
            before={"enabled": not enabled},
            snapshot=lambda a: {"enabled": a.enabled},
        )
    return automation


# --- triggering ----------------------------------------------------------------------------------
def start(automation: Automation, now: datetime, alarm: Alarm | None = None) -> AutomationRun | None:
    running = AutomationRun.objects.filter(automation=automation, status__in=UNFINISHED)
    if automation.mode == RunMode.SINGLE and running.exists():
        return None
    if automation.mode == RunMode.RESTART:
        running.update(status=RunStatus.CANCELLED, finished_at=now)
    run = AutomationRun.objects.create(automation=automation, due_at=now, alarm=alarm)
    advance(run, now)
    return run


def on_alarm(alarm: Alarm) -> None:
    for automation in Automation.objects.filter(
        community_id=alarm.community_id, enabled=True, trigger__alarm_type=alarm.type
    ):
        start(automation, timezone.now(), alarm)


def _fire_scheduled(now: datetime) -> None:
    local = timezone.localtime(now)
    for automation in Automation.objects.filter(enabled=True, trigger__has_key="at"):
        at = _time(automation.trigger["at"])
        if at is None or (local.hour, local.minute) < at or automation.last_fired_on == local.date():
            continue
        claimed = Automation.objects.filter(pk=automation.pk, last_fired_on=automation.last_fired_on).update(
            last_fired_on=local.date()
        )
        if claimed:
            start(automation, now)


def run_due(now: datetime) -> None:
    _fire_scheduled(now)
    for run in AutomationRun.objects.filter(status__in=UNFINISHED, due_at__lte=now).select_related(
        "automation"
    )[:500]:
        advance(run, now)


# --- running -------------------------------------------------------------------------------------
def advance(run: AutomationRun, now: datetime) -> None:
    """Runs steps until a delay or the end. A queued run waits for the runs before it."""
    automation = run.automation
    earlier = AutomationRun.objects.filter(automation=automation, status__in=UNFINISHED, pk__lt=run.pk)
    if automation.mode == RunMode.QUEUED and earlier.exists():
        return
    steps = automation.steps
    step = run.step
    while step < len(steps):
        current = steps[step]
        step += 1
        if current["type"] == "delay":
            AutomationRun.objects.filter(pk=run.pk, status__in=UNFINISHED, step=run.step).update(
                status=RunStatus.RUNNING, step=step, due_at=now + timedelta(seconds=current["seconds"])
            )
            return
        try:
            with transaction.atomic():
                _do(automation, run, current)
        except ServiceError as e:  # a step that cannot run (a device without that command) is skipped
            log.warning("iot: automation %s step %s skipped: %s", automation.pk, step, e)
    if AutomationRun.objects.filter(pk=run.pk, status__in=UNFINISHED, step=run.step).update(
        status=RunStatus.DONE, step=step, finished_at=now
    ):
        following = (
            AutomationRun.objects.filter(automation=automation, status=RunStatus.WAITING)
            .order_by("id")
            .first()
        )
        if automation.mode == RunMode.QUEUED and following is not None:
            advance(following, now)


def _devices(automation: Automation, run: AutomationRun, target: str) -> list[int]:
    found = Device.objects.filter(community_id=automation.community_id, active=True)
    kind, _sep, rest = target.partition(":")
    if kind == "kind":
        return list(found.filter(profile__kind=rest).values_list("pk", flat=True))
    if kind == "same_area":
        building = run.alarm.building_id if run.alarm else None
        found = found.filter(profile__kind=rest)
        return list((found.filter(building_id=building) if building else found).values_list("pk", flat=True))
    return list(found.filter(code=target).values_list("pk", flat=True))


def _do(automation: Automation, run: AutomationRun, step: dict) -> None:
    alarm_id = run.alarm_id
    if step["type"] == "command":
        for device_id in _devices(automation, run, step["target"]):
            send_command(
                device_id=device_id, name=step["name"], params=step.get("params") or {}, alarm_id=alarm_id
            )
    elif step["type"] == "broadcast":
        building = run.alarm.building_id if run.alarm and step.get("area") == "building" else None
        broadcasts.do_broadcast(
            actor=None,
            community_id=automation.community_id,
            building_id=building,
            text=step["text"],
            priority=step.get("priority", "normal"),
            alarm_id=alarm_id,
        )
    elif step["type"] == "notify":
        notify(
            users=routing.with_roles(automation.community_id, step["roles"]),
            kind="iot.automation",
            title=automation.name,
            body=step.get("text", ""),
            community_id=automation.community_id,
        )
