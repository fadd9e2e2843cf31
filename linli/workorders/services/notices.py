"""Who is told what about a request (item 9): the reporter at each step they care about, the
handler when an order reaches them, the team when it waits in the pool, the supervisor when it
escalates. In-app always (inbox and live stream); by SMS where a person must act now or would
otherwise not know (an urgent order assigned, an escalation, a rejected or finished report).
Kind names are `workorder.<event>` so that a person's preferences can mute a kind's SMS.

What staff must act on (an order reaching them or their team, an escalation) also goes to the
community's staff chat (WeCom or DingTalk; linli.channels), which sends nothing where the
community chose none. It is named here, per kind, rather than added by notify to every message
for staff: the caller decides where a kind goes (linli.notify.services.channels), and a reader of
this module sees every way a message leaves."""

from django.utils.translation import gettext_lazy as _

from linli.core.models import Membership
from linli.core.roles import Role
from linli.notify.services import notify
from linli.notify.services.channels import TO_STAFF
from linli.workorders.choices import Priority
from linli.workorders.models import Handler, Request, Team

RESIDENT_LINK = "/workorders/my/{id}"
STAFF_LINK = "/workorders/staff/{community}/{id}"
QUEUE_LINK = "/workorders/staff/{community}/"
SLA_LINK = "/workorders/staff/{community}/sla/"

# What the reporter hears after each action (the rest are internal moves).
TO_REPORTER = {
    "accept": _("您的报事已受理"),
    "assign": _("已为您安排处理人员"),
    "grab": _("已为您安排处理人员"),
    "depart": _("处理人员已出发"),
    "ask_payment": _("维修需要付费，请确认报价"),
    "complete": _("您的报事已处理完成，请确认并评价"),
    "reject": _("您的报事未被受理"),
    "close": _("您的报事已关闭"),
}
SMS_TO_REPORTER = {"complete", "reject", "ask_payment"}


def _title(request: Request, text) -> str:
    return f"{text}：{request.category.name}"


def after_transition(request: Request, action: str, *, actor, reason: str) -> None:
    acting = actor.pk if actor is not None else None
    if action in TO_REPORTER and request.reporter_id and request.reporter_id != acting:
        notify(
            users=[request.reporter_id],
            kind=f"workorder.{action}",
            title=_title(request, TO_REPORTER[action]),
            body=reason or request.description[:80],
            link=RESIDENT_LINK.format(id=request.pk),
            community_id=request.community_id,
            channels=("inapp", "sms") if action in SMS_TO_REPORTER else ("inapp",),
        )
    if action in ("assign", "rework") and request.assignee_id and request.assignee_id != acting:
        urgent = request.priority == Priority.URGENT
        notify(
            users=[request.assignee_id],
            kind="workorder.assigned",
            title=_title(request, _("新工单") if action == "assign" else _("工单需返工")),
            body=f"{request.place or ''} {request.description[:80]}".strip(),
            link=STAFF_LINK.format(community=request.community_id, id=request.pk),
            community_id=request.community_id,
            channels=(*TO_STAFF, "sms") if urgent else TO_STAFF,
        )
    if action in ("transfer", "return") and request.team_id:
        to_pool(request)


def to_pool(request: Request) -> None:
    """Tells the team an order waits for someone to take it (grab mode, a transfer, a return)."""
    handlers = Handler.objects.filter(community_id=request.community_id, on_duty=True)
    if request.team_id is not None:
        handlers = handlers.filter(team_id=request.team_id)
    users = handlers.values_list("user_id", flat=True).distinct()
    notify(
        users=list(users),
        kind="workorder.pool",
        title=_title(request, _("待接工单")),
        body=request.description[:80],
        link=STAFF_LINK.format(community=request.community_id, id=request.pk),
        community_id=request.community_id,
        channels=TO_STAFF,
    )


def due_soon(community_id: int, holder: int, count: int) -> None:
    notify(
        users=[holder],
        kind="workorder.due_soon",
        title=str(_("%(n)s 个工单即将超时") % {"n": count}),
        body=str(_("请尽快处理，超时将上报主管")),
        link=QUEUE_LINK.format(community=community_id),
        community_id=community_id,
    )


def escalated(community_id: int, team_id: int | None, count: int) -> None:
    """To the team's supervisor, or, for a team without one, the community's managers."""
    supervisor = (
        Team.objects.filter(pk=team_id).values_list("supervisor_id", flat=True).first() if team_id else None
    )
    managers = Membership.objects.filter(
        community_id=community_id, role__in=(Role.PROPERTY_MANAGER, Role.COMMUNITY_ADMIN)
    ).values_list("user_id", flat=True)
    users = [supervisor] if supervisor else list(managers)
    if users:
        notify(
            users=users,
            kind="workorder.escalated",
            title=str(_("%(n)s 个工单已超时，请督办") % {"n": count}),
            body=str(_("超时工单已标记，请在SLA看板查看")),
            link=SLA_LINK.format(community=community_id),
            community_id=community_id,
            channels=(*TO_STAFF, "sms"),
        )
