"""Patrols (WO-6, GRID-1): routes of tagged checkpoints, the runs their schedules open, and the
guard's check-ins.

The scheduler opens one run per route and due time (a day ahead, and late ones whose window is
still open); the unique (route, due_at) makes a second pass a no-op. A check-in is accepted only
for a tag of the run's route, inside the run's window, once per checkpoint; the first one takes
the run for the guard by a conditional update. The last checkpoint completes the run; a run
still open when its window has passed is marked missed with the checkpoints left unchecked.
An abnormal check-in opens a work order in the route's report category.
"""

import secrets
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.events import publish
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.workorders.choices import Source
from linli.workorders.models import (
    Category,
    CheckIn,
    Checkpoint,
    PatrolRoute,
    PatrolRun,
    PatrolSchedule,
    Team,
)
from linli.workorders.models.patrols import RunStatus
from linli.workorders.services import attachments, intake

HORIZON = timedelta(days=1)  # runs exist this long before they are due, for the guard's day
OPEN_RUN = (RunStatus.SCHEDULED, RunStatus.IN_PROGRESS)


# --- setup -----------------------------------------------------------------------------------


def _own(community_id: int, obj, field: str):
    if obj is not None and obj.community_id != community_id:
        raise ServiceError("not_in_community", _("请选择本小区的数据"), fields={field: obj.pk})


@transaction.atomic
def do_create_route(
    *,
    actor: Actor,
    community_id: int,
    name: str,
    team: Team,
    checkpoints: list[dict],
    report_category: Category | None = None,
) -> PatrolRoute:
    """A route with its checkpoints in walking order: [{"name", "tag_id", "building_id", "plan_x",
    "plan_y"}]. Tags are unique in the community."""
    require(actor, Action.WORKORDER_SETUP, community_id)
    _own(community_id, team, "team_id")
    _own(community_id, report_category, "report_category_id")
    if not checkpoints:
        raise ServiceError(
            "checkpoints_required", _("请至少设置一个巡检点"), fields={"checkpoints": _("必填")}
        )
    try:
        with transaction.atomic():
            route = PatrolRoute.objects.create(
                community_id=community_id, name=name.strip(), team=team, report_category=report_category
            )
            Checkpoint.objects.bulk_create(
                _checkpoint(route, order, point) for order, point in enumerate(checkpoints, start=1)
            )
    except IntegrityError:
        raise Conflict(
            "route_or_tag_exists", _("路线名称或巡检点标签已被使用"), fields={"checkpoints": _("标签重复")}
        ) from None
    audit.record(actor=actor, action="workorder_route_created", obj=route, community_id=community_id)
    return route


def _checkpoint(route: PatrolRoute, order: int, point: dict) -> Checkpoint:
    building_id = point.get("building_id")
    if building_id is not None and not registry_queries.building_in(route.community_id, building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building_id": building_id})
    return Checkpoint(
        route=route,
        community_id=route.community_id,
        order=order,
        name=point["name"].strip(),
        tag_id=point["tag_id"].strip(),
        building_id=building_id,
        plan_x=point.get("plan_x"),
        plan_y=point.get("plan_y"),
    )


def parse_times(times: list[str]) -> list[time]:
    try:
        parsed = sorted({time.fromisoformat(t) for t in times})
    except ValueError:
        raise ServiceError(
            "invalid_times", _("时间格式应为 HH:MM"), fields={"times": _("格式错误")}
        ) from None
    if not parsed:
        raise ServiceError("invalid_times", _("请至少设置一个时间"), fields={"times": _("必填")})
    return parsed


@transaction.atomic
def do_add_schedule(
    *, actor: Actor, route: PatrolRoute, times: list[str], weekdays: str = "", window_minutes: int = 60
) -> PatrolSchedule:
    """E.g. every day at 09:00 and 21:00 (`weekdays` empty), 60 minutes to walk it."""
    require(actor, Action.WORKORDER_SETUP, route.community_id)
    if any(d not in "0123456" for d in weekdays):
        raise ServiceError("invalid_weekdays", _("星期应为0-6的数字"), fields={"weekdays": weekdays})
    schedule = PatrolSchedule.objects.create(
        route=route,
        times=[t.strftime("%H:%M") for t in parse_times(times)],
        weekdays="".join(sorted(set(weekdays))),
        window_minutes=window_minutes,
    )
    audit.record(
        actor=actor, action="workorder_schedule_added", obj=schedule, community_id=route.community_id
    )
    return schedule


# --- the scheduler ---------------------------------------------------------------------------


def due_times(schedule: PatrolSchedule, start: datetime, end: datetime) -> list[datetime]:
    """The schedule's due times in [start, end), in the current time zone."""
    tz = timezone.get_current_timezone()
    first, last = timezone.localtime(start, tz).date(), timezone.localtime(end, tz).date()
    times = parse_times(schedule.times)
    found = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if schedule.weekdays and str(day.weekday()) not in schedule.weekdays:
            continue
        found += [at for t in times if start <= (at := datetime.combine(day, t, tz)) < end]
    return found


def open_runs(now: datetime) -> None:
    """Opens the runs due within a day, and those already due whose window is still open."""
    schedules = PatrolSchedule.objects.filter(route__active=True).select_related("route")
    for schedule in schedules:
        window = timedelta(minutes=schedule.window_minutes)
        PatrolRun.objects.bulk_create(
            [
                PatrolRun(
                    route=schedule.route,
                    community_id=schedule.route.community_id,
                    due_at=at,
                    window_end=at + window,
                )
                for at in due_times(schedule, now - window, now + HORIZON)
            ],
            ignore_conflicts=True,  # unique (route, due_at): a second pass opens nothing
        )


def close_missed(now: datetime) -> int:
    """Runs still open after their window: missed, with the checkpoints nobody checked. One whose
    every checkpoint was checked (two last scans at once, each counting the other's as not yet
    committed) is completed instead. Returns how many runs were missed."""
    missed_runs = 0
    for run in PatrolRun.objects.filter(status__in=OPEN_RUN, window_end__lt=now):
        checked = run.check_ins.values("checkpoint_id")
        missed = [
            {"id": c.pk, "name": c.name}
            for c in Checkpoint.objects.filter(route_id=run.route_id).exclude(pk__in=checked)
        ]
        with transaction.atomic():
            status = RunStatus.MISSED if missed else RunStatus.COMPLETED
            done = PatrolRun.objects.filter(pk=run.pk, status=run.status).update(
                status=status, finished_at=now, missed_checkpoints=missed
            )
            if done and missed:
                publish("workorders.patrol_missed", {"run": run.pk}, community_id=run.community_id)
                missed_runs += 1
    return missed_runs


# --- the guard -------------------------------------------------------------------------------


def _refuse_window(run: PatrolRun, now: datetime) -> None:
    if not run.due_at <= now <= run.window_end:
        start, end = timezone.localtime(run.due_at), timezone.localtime(run.window_end)
        raise ServiceError(
            "outside_window",
            _("不在巡检时间内(%(start)s–%(end)s)") % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
            fields={"tag_id": _("不在时间窗口内")},
        )


def _take(run: PatrolRun, actor: Actor, now: datetime) -> None:
    """The run is the guard's from their first check-in on; nobody else checks in on it."""
    taken = (
        PatrolRun.objects.filter(pk=run.pk, status__in=OPEN_RUN)
        .filter(Q(assignee__isnull=True) | Q(assignee=actor))
        .update(status=RunStatus.IN_PROGRESS, assignee=actor, started_at=Coalesce(F("started_at"), now))
    )
    if taken:
        return
    run.refresh_from_db()
    if run.status not in OPEN_RUN:
        raise Conflict("run_closed", _("该巡检任务已结束"))
    raise Forbidden(_("该巡检任务由其他人执行"), code="not_your_run")


@transaction.atomic
def do_check_in(
    *,
    actor: Actor,
    run: PatrolRun,
    tag_id: str,
    note: str = "",
    abnormal: bool = False,
    now: datetime | None = None,
) -> CheckIn:
    now = now or timezone.now()
    require(actor, Action.WORKORDER_HANDLE, run.community_id)
    checkpoint = Checkpoint.objects.filter(community_id=run.community_id, tag_id=tag_id.strip()).first()
    if checkpoint is None:
        raise ServiceError("unknown_tag", _("未识别的巡检点标签"), fields={"tag_id": _("未识别")})
    if checkpoint.route_id != run.route_id:
        raise ServiceError("wrong_route", _("该巡检点不属于本路线"), fields={"tag_id": checkpoint.name})
    _refuse_window(run, now)
    _take(run, actor, now)
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                run=run,
                checkpoint=checkpoint,
                community_id=run.community_id,
                at=now,
                by=actor,
                note=note.strip(),
                abnormal=abnormal,
            )
    except IntegrityError:
        raise Conflict("already_checked", _("该巡检点已打卡"), fields={"tag_id": checkpoint.name}) from None
    if abnormal:
        check_in.request = _report(run, checkpoint, actor, note)
        check_in.save(update_fields=["request"])
    if run.check_ins.count() == Checkpoint.objects.filter(route_id=run.route_id).count():
        PatrolRun.objects.filter(pk=run.pk, status=RunStatus.IN_PROGRESS).update(
            status=RunStatus.COMPLETED, finished_at=now
        )
    audit.record(actor=actor, action="workorder_patrol_check_in", obj=check_in, community_id=run.community_id)
    run.refresh_from_db()
    return check_in


def _report(run: PatrolRun, checkpoint: Checkpoint, actor: Actor, note: str):
    """The abnormal finding as a work order, opened by the system with the guard as reporter
    (a guard holds handle rights, not dispatch)."""
    category = run.route.report_category
    if category is None:
        return None
    return intake.open_request(
        actor=None,
        community_id=run.community_id,
        category=category,
        description=_("巡检异常：%(point)s。%(note)s") % {"point": checkpoint.name, "note": note.strip()},
        source=Source.PATROL,
        building_id=checkpoint.building_id,
        place=checkpoint.name,
        reporter=actor,
    )


@transaction.atomic
def do_attach_check_in_photo(*, actor: Actor, check_in: CheckIn, data: bytes) -> CheckIn:
    """The photo of a check-in, by the guard who made it: re-encoded, EXIF gone."""
    if check_in.by_id != actor.pk:
        raise Forbidden(_("只能为自己的打卡上传照片"), code="not_your_check_in")
    if check_in.photo:
        raise Conflict("photo_exists", _("该打卡已有照片"))
    if len(data) > attachments.MAX_PHOTO_BYTES:
        raise ServiceError("file_too_large", _("照片过大"), fields={"file": _("文件过大")})
    content, _position = attachments.reencode_photo(data)
    name = f"patrols/{check_in.community_id}/{secrets.token_hex(16)}.jpg"
    path = attachments.media_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    check_in.photo = name
    check_in.save(update_fields=["photo"])
    audit.record(
        actor=actor, action="workorder_patrol_photo", obj=check_in, community_id=check_in.community_id
    )
    return check_in


def read_photo(check_in: CheckIn) -> bytes:
    return (attachments.media_root() / check_in.photo).read_bytes()
