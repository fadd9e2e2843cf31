"""The state machine of a request (WO-1..WO-5), drawn from how property desks work:

submitted → accepted → assigned → on the way → in progress → (paused | awaiting parts | needs
payment) → done → checked → closed, with rejected, returned, transferred and cancelled branches
that need a reason. `TRANSITIONS` is the whole table; every move is one conditional update on
(id, status[, assignee]) so that two people acting at once cannot both succeed, and each leaves a
`RequestEvent` on the timeline the reporter sees. Who may act is part of the table:

- dispatcher: holds `workorder.dispatch` where the request is (the desk, a manager, the grid
  worker for incidents);
- assignee: the handler it is assigned to (holds `workorder.handle`);
- reporter: the resident who reported it;
- checker: a dispatcher other than the one who did the work (an independent check).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.events import publish
from linli.core.permissions import may
from linli.core.roles import Action
from linli.workorders.choices import OPEN, DispatchMode, Status
from linli.workorders.models import Handler, Request, RequestEvent, Team
from linli.workorders.services import dispatch, notices, sla
from linli.workorders.services.setup import settings_of

S = Status
DISPATCHER, ASSIGNEE, REPORTER, CHECKER, HANDLER = "dispatcher", "assignee", "reporter", "checker", "handler"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str  # "" keeps the status (acknowledging an order)
    who: tuple[str, ...]
    reason: bool = False  # a reason is required
    label: str | Promise = ""


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition((S.SUBMITTED,), S.ACCEPTED, (DISPATCHER,), label=_("受理")),
    "reject": Transition((S.SUBMITTED, S.ACCEPTED), S.REJECTED, (DISPATCHER,), reason=True, label=_("驳回")),
    "assign": Transition((S.SUBMITTED, S.ACCEPTED, S.ASSIGNED), S.ASSIGNED, (DISPATCHER,), label=_("派单")),
    "grab": Transition((S.ACCEPTED,), S.ASSIGNED, (HANDLER,), label=_("抢单")),
    "ack": Transition((S.ASSIGNED,), "", (ASSIGNEE,), label=_("接单")),
    "return": Transition((S.ASSIGNED, S.ON_THE_WAY), S.ACCEPTED, (ASSIGNEE,), reason=True, label=_("退单")),
    "transfer": Transition(
        (S.ACCEPTED, S.ASSIGNED, S.ON_THE_WAY, S.IN_PROGRESS, S.PAUSED, S.AWAITING_PARTS),
        S.ACCEPTED,
        (DISPATCHER, ASSIGNEE),
        reason=True,
        label=_("转派"),
    ),
    "depart": Transition((S.ASSIGNED,), S.ON_THE_WAY, (ASSIGNEE,), label=_("出发")),
    "start": Transition((S.ASSIGNED, S.ON_THE_WAY), S.IN_PROGRESS, (ASSIGNEE,), label=_("开始处理")),
    "pause": Transition((S.IN_PROGRESS,), S.PAUSED, (ASSIGNEE,), reason=True, label=_("暂停")),
    "await_parts": Transition(
        (S.IN_PROGRESS,), S.AWAITING_PARTS, (ASSIGNEE,), reason=True, label=_("等待配件")
    ),
    "ask_payment": Transition((S.IN_PROGRESS,), S.NEEDS_PAYMENT, (ASSIGNEE,), label=_("报价待确认")),
    "approve_payment": Transition(
        (S.NEEDS_PAYMENT,), S.IN_PROGRESS, (REPORTER, DISPATCHER), label=_("同意付费维修")
    ),
    "resume": Transition((S.PAUSED, S.AWAITING_PARTS), S.IN_PROGRESS, (ASSIGNEE,), label=_("继续处理")),
    "complete": Transition((S.IN_PROGRESS,), S.DONE, (ASSIGNEE,), label=_("完成")),
    "confirm": Transition((S.DONE,), S.CHECKED, (REPORTER,), label=_("住户确认")),
    "check": Transition((S.DONE,), S.CHECKED, (CHECKER,), label=_("验收")),
    "rework": Transition((S.DONE,), S.ASSIGNED, (CHECKER, REPORTER), reason=True, label=_("返工")),
    "close": Transition((S.CHECKED,), S.CLOSED, (DISPATCHER,), label=_("关闭")),
    "reopen": Transition((S.CHECKED, S.CLOSED), S.ACCEPTED, (REPORTER,), reason=True, label=_("重新打开")),
    "cancel": Transition(
        (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED), S.CANCELLED, (REPORTER,), reason=True, label=_("撤销")
    ),
}

# Moves that hand the order to someone else (counted as hops, WO-5's measure).
HAND_OVERS = {"assign", "grab", "return", "transfer"}


def allowed_actions(request: Request, actor: Actor) -> list[str]:
    """What `actor` may do next on `request` (the buttons a screen shows)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if request.status in t.sources and any(_is(actor, role, request) for role in t.who)
    ]


def _is(actor: Actor, role: str, request: Request) -> bool:
    building = request.building_id
    if role == REPORTER:
        return request.reporter_id is not None and request.reporter_id == actor.pk
    if role == ASSIGNEE:
        return request.assignee_id == actor.pk and may(
            actor, Action.WORKORDER_HANDLE, request.community_id, building
        )
    if role == HANDLER:
        return may(actor, Action.WORKORDER_HANDLE, request.community_id, building) and _in_pool(
            actor, request
        )
    dispatcher = may(actor, Action.WORKORDER_DISPATCH, request.community_id, building)
    if role == CHECKER:
        return dispatcher and request.assignee_id != actor.pk
    return dispatcher


def _in_pool(actor: Actor, request: Request) -> bool:
    """A handler takes an order waiting in their own team's queue (a department's queue after a
    transfer) in any mode; in grab mode also one that no team was named for."""
    handlers = Handler.objects.filter(user=actor, community_id=request.community_id)
    if request.team_id:
        return handlers.filter(team_id=request.team_id).exists()
    return settings_of(request.community_id).dispatch_mode == DispatchMode.GRAB and handlers.exists()


def _pool_team(actor: Actor, request: Request) -> int | None:
    """The team an order grabbed from the community-wide pool belongs to: the grabber's."""
    if request.team_id:
        return request.team_id
    return (
        Handler.objects.filter(user=actor, community_id=request.community_id)
        .values_list("team_id", flat=True)
        .first()
    )


def _refuse(actor: Actor, request: Request, t: Transition, action: str) -> ServiceError:
    if any(_is(actor, role, request) for role in t.who):  # the right person, the wrong moment
        return Conflict(
            "invalid_transition",
            _("工单当前状态为“%(status)s”，不能%(action)s")
            % {"status": request.get_status_display(), "action": t.label},
            fields={"status": request.status, "action": action},
        )
    if ASSIGNEE in t.who:
        return Forbidden(_("这不是您的工单"), code="not_your_order")
    if REPORTER in t.who:
        return Forbidden(_("只有报事人可以这样做"), code="not_reporter")
    return Forbidden()


@transaction.atomic
def do_transition(
    *,
    actor: Actor,
    request: Request,
    action: str,
    reason: str = "",
    handler: Handler | None = None,
    team: Team | None = None,
) -> Request:
    """Moves `request` by `action` if `actor` may, from the status it is in now."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise ServiceError("unknown_action", _("未知的操作"), fields={"action": action})
    reason = (reason or "").strip()[:300]
    if not any(_is(actor, role, request) for role in t.who) or request.status not in t.sources:
        raise _refuse(actor, request, t, action)
    if t.reason and not reason:
        raise ServiceError("reason_required", _("请填写原因"), fields={"reason": _("必填")})
    return _apply(request, action, t, actor=actor, reason=reason, handler=handler, team=team)


def system_move(request: Request, action: str, *, handler: Handler | None = None) -> Request:
    """A move the platform makes itself (accepting and assigning on intake, by the rules)."""
    return _apply(request, action, TRANSITIONS[action], actor=None, reason="", handler=handler, team=None)


def _apply(
    request: Request,
    action: str,
    t: Transition,
    *,
    actor,
    reason: str,
    handler: Handler | None,
    team: Team | None,
) -> Request:
    now = timezone.now()
    changes: dict = {"updated_at": now}
    if t.target:
        changes["status"] = t.target
    changes.update(_extra(request, action, now, actor=actor, handler=handler, team=team))
    if action in HAND_OVERS:
        changes["hops"] = F("hops") + 1
    # From the status and holder that were read: two dispatchers reassigning at once cannot both
    # move the order (and the loads), and an assignee acts only on their own.
    matched = Request.objects.filter(pk=request.pk, status=request.status, assignee_id=request.assignee_id)
    if t.who == (ASSIGNEE,) and actor is not None:
        matched = matched.filter(assignee_id=actor.pk)
    if action == "ack":
        matched = matched.filter(responded_at__isnull=True)
    if not matched.update(**changes):
        request.refresh_from_db()
        if actor is None:
            raise Conflict("invalid_transition", _("工单状态已变化"), fields={"action": action})
        raise _refuse(actor, request, t, action)
    before, held_by = request.status, _holder(request)
    request.refresh_from_db()
    _move_load(held_by, _holder(request), counts_as_new=action in ("assign", "grab"))
    record_step(request, actor=actor, action=action, at=now, before=before, note=reason)
    notices.after_transition(request, action, actor=actor, reason=reason)
    if (
        action in ("return", "transfer")
        and settings_of(request.community_id).dispatch_mode == DispatchMode.AUTO
    ):
        handler = dispatch.choose(request, besides=held_by[0] if held_by else None)
        if handler is not None:
            return system_move(request, "assign", handler=handler)
    return request


def _extra(
    request: Request, action: str, now, *, actor: Actor, handler: Handler | None, team: Team | None
) -> dict:
    """The columns an action changes besides the status."""
    if action == "assign":
        if handler is None or handler.community_id != request.community_id:
            raise ServiceError("handler_required", _("请选择处理人"), fields={"handler": _("必填")})
        return {"assignee_id": handler.user_id, "responsible_id": handler.user_id, "team_id": handler.team_id}
    if action == "grab":
        return {"assignee_id": actor.pk, "responsible_id": actor.pk, "team_id": _pool_team(actor, request)}
    if action == "ack" or (action in ("depart", "start") and request.responded_at is None):
        return {"responded_at": now}
    if action in ("return", "transfer"):
        extra: dict = {"assignee_id": None}  # the responsible stays until someone takes it
        if action == "transfer":
            if team is None or team.community_id != request.community_id:
                raise ServiceError("team_required", _("请选择转派的班组或部门"), fields={"team": _("必填")})
            extra["team_id"] = team.pk
        return extra
    if action == "ask_payment" and not request.charges.exists():
        raise ServiceError("no_charges", _("请先添加材料或人工费用"), fields={"charges": _("必填")})
    if action == "complete":
        return {"resolved_at": now}
    if action == "rework":
        return {"resolved_at": None}
    if action == "close":
        return {"closed_at": now}
    if action == "reopen":
        settings = settings_of(request.community_id)
        finished = request.closed_at or request.resolved_at or now
        if now - finished > timedelta(days=settings.reopen_days):
            raise ServiceError(
                "reopen_window_passed",
                _("工单关闭已超过%(days)s天，不能重新打开，请重新报事") % {"days": settings.reopen_days},
            )
        return {
            "reopen_count": F("reopen_count") + 1,
            "resolved_at": None,
            "closed_at": None,
            "rating": None,
            "rating_tags": [],
            "rating_comment": "",
            "assignee_id": None,
            "resolve_due": sla.resolve_due_from(request, now),
            "resolution_overdue": False,
            "escalated_at": None,
            "reminded_at": None,
        }
    return {}


def _holder(request: Request) -> tuple[int, int | None] | None:
    """(user, team) of the handler who holds the order now: assigned to them and still open."""
    if request.assignee_id and request.status in OPEN:
        return (request.assignee_id, request.team_id)
    return None


def _move_load(before: tuple | None, after: tuple | None, *, counts_as_new: bool) -> None:
    """Keeps each handler's count of open orders right as orders come and go."""
    if before == after:
        return
    if before:
        Handler.objects.filter(user_id=before[0], team_id=before[1], open_count__gt=0).update(
            open_count=F("open_count") - 1
        )
    if after:
        stamp = {"last_assigned_at": timezone.now()} if counts_as_new else {}
        Handler.objects.filter(user_id=after[0], team_id=after[1]).update(
            open_count=F("open_count") + 1, **stamp
        )


@transaction.atomic
def do_rate(*, actor: Actor, request: Request, rating: int, tags: list[str], comment: str = "") -> Request:
    """The reporter rates 1–5 with tags; rating a done order also confirms and closes it."""
    if request.reporter_id != actor.pk:
        raise Forbidden(_("只有报事人可以评价"), code="not_reporter")
    if not 1 <= rating <= 5:
        raise ServiceError("invalid_rating", _("评分应为1到5星"), fields={"rating": _("应为1到5")})
    now = timezone.now()
    rated = Request.objects.filter(
        pk=request.pk, reporter_id=actor.pk, rating__isnull=True, status__in=(S.DONE, S.CHECKED, S.CLOSED)
    ).update(
        rating=rating,
        rating_tags=[str(t)[:20] for t in tags][:10],
        rating_comment=(comment or "").strip()[:200],
        status=S.CLOSED,
        closed_at=Coalesce(F("closed_at"), Value(now)),  # rating a closed order keeps its close
        updated_at=now,
    )
    if not rated:
        request.refresh_from_db()
        if request.rating is not None:
            raise Conflict("already_rated", _("您已评价过该工单"))
        raise Conflict(
            "invalid_transition",
            _("工单当前状态为“%(status)s”，还不能评价") % {"status": request.get_status_display()},
            fields={"status": request.status, "action": "rate"},
        )
    before = request.status
    request.refresh_from_db()
    note = f"{rating}★ {' '.join(request.rating_tags)}".strip()
    record_step(request, actor=actor, action="rate", at=now, before=before, note=note)
    return request


def record_step(
    request: Request, *, actor: Actor | None, action: str, at, before: str = "", note: str = ""
) -> None:
    """What every step leaves, in the step's transaction: the line on the reporter's timeline, the
    audit entry and the outbox event that live pages listen to."""
    RequestEvent.objects.create(
        request=request,
        community_id=request.community_id,
        at=at,
        actor=actor,
        action=action,
        from_status=before,
        to_status=request.status,
        note=note,
    )
    audit.record(
        actor=actor,
        action=f"workorder_{action}",
        obj=request,
        community_id=request.community_id,
        after={"status": request.status, "note": note},
    )
    publish(
        "workorders.changed",
        {"request": request.pk, "status": request.status, "action": action},
        community_id=request.community_id,
    )
