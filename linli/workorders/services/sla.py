"""SLA deadlines and the scan that reminds, marks overdue and escalates (WO-4).

A request gets its response and resolution deadlines when it is reported, from its category's
policy at its priority, in the community's working time (clock.py). The scan runs every minute
(periodic.py) and does three things, each a conditional update so that a row is acted on once
however many schedulers run: remind the holder before a deadline, mark an order overdue when a
deadline passes (the mark stays: it feeds the staff reports), and escalate an overdue order to
its team's supervisor. Every step reads open requests by deadline through partial indexes, so
its cost follows the orders falling due, not the 100,000 open ones.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from linli.core.events import publish
from linli.workorders.choices import OPEN
from linli.workorders.models import Request, RequestEvent, Settings, SlaPolicy
from linli.workorders.services import notices
from linli.workorders.services.clock import WorkCalendar, deadline
from linli.workorders.services.setup import settings_of

BATCH = 500
DEFAULT_LEAD = timedelta(minutes=30)  # a community that never saved its settings


def _policy(request: Request) -> SlaPolicy | None:
    return SlaPolicy.objects.filter(category_id=request.category_id, priority=request.priority).first()


def deadlines(request: Request, start: datetime) -> dict:
    policy = _policy(request)
    if policy is None:
        return {"respond_due": None, "resolve_due": None}
    calendar = WorkCalendar.of(settings_of(request.community_id))
    only = policy.working_time_only
    return {
        "respond_due": deadline(start, policy.respond_minutes, calendar, working_time_only=only),
        "resolve_due": deadline(start, policy.resolve_minutes, calendar, working_time_only=only),
    }


def resolve_due_from(request: Request, start: datetime) -> datetime | None:
    """A reopened order's new resolution deadline."""
    return deadlines(request, start)["resolve_due"]


def scan(now: datetime | None = None) -> dict[str, int]:
    """One pass: reminders, overdue marks, escalations. Returns how many of each."""
    now = now or timezone.now()
    return {
        "reminded": _remind(now),
        "response_overdue": _mark(now, "respond_due", "responded_at", "response_overdue"),
        "resolution_overdue": _mark(now, "resolve_due", "resolved_at", "resolution_overdue"),
        "escalated": _escalate(now),
    }


def _open(due: str, done: str):
    return Request.objects.filter(**{f"{done}__isnull": True, f"{due}__isnull": False, "status__in": OPEN})


def _remind(now: datetime) -> int:
    """Tells each holder (or the desk) how many of their orders fall due within the community's
    lead time; once per order. One message per holder per pass, not one per order."""
    leads = {
        c: timedelta(minutes=m)
        for c, m in Settings.objects.values_list("community_id", "remind_before_minutes")
    }
    horizon = now + max(leads.values(), default=DEFAULT_LEAD)
    rows = (
        _open("resolve_due", "resolved_at")
        .filter(resolve_due__gt=now, resolve_due__lte=horizon, reminded_at__isnull=True)
        .values_list("id", "community_id", "resolve_due", "assignee_id", "responsible_id")[: BATCH * 10]
    )
    due = [r for r in rows if r[2] - leads.get(r[1], DEFAULT_LEAD) <= now]
    if not due:
        return 0
    with transaction.atomic():
        reminded = Request.objects.filter(pk__in=[r[0] for r in due], reminded_at__isnull=True).update(
            reminded_at=now
        )
        by_holder: dict[tuple[int, int], int] = {}
        for _pk, community_id, _due, assignee, responsible in due:
            holder = assignee or responsible
            if holder:
                by_holder[(community_id, holder)] = by_holder.get((community_id, holder), 0) + 1
        for (community_id, holder), count in by_holder.items():
            notices.due_soon(community_id, holder, count)
    return reminded


def _mark(now: datetime, due: str, done: str, flag: str) -> int:
    ids = list(
        _open(due, done)
        .filter(**{f"{due}__lte": now, flag: False})
        .values_list("id", flat=True)[: BATCH * 10]
    )
    if not ids:
        return 0
    with transaction.atomic():
        marked = Request.objects.filter(pk__in=ids, **{flag: False}).update(**{flag: True})
        RequestEvent.objects.bulk_create(
            RequestEvent(request_id=pk, community_id=c, at=now, action=flag, from_status=s, to_status=s)
            for pk, c, s in Request.objects.filter(pk__in=ids).values_list("id", "community_id", "status")
        )
    return marked


def _escalate(now: datetime) -> int:
    """Overdue orders not yet escalated go to their team's supervisor (once each), one message
    per supervisor and pass."""
    # A late response escalates while it is still awaited; once answered (or on a reopened
    # order) only the resolution deadline does.
    overdue = Request.objects.filter(status__in=OPEN, escalated_at__isnull=True).filter(
        Q(response_overdue=True, responded_at__isnull=True) | Q(resolution_overdue=True)
    )
    rows = list(overdue.values_list("id", "community_id", "status", "team_id")[: BATCH * 10])
    if not rows:
        return 0
    with transaction.atomic():
        escalated = Request.objects.filter(pk__in=[r[0] for r in rows], escalated_at__isnull=True).update(
            escalated_at=now
        )
        RequestEvent.objects.bulk_create(
            RequestEvent(request_id=pk, community_id=c, at=now, action="escalate", from_status=s, to_status=s)
            for pk, c, s, _team in rows
        )
        by_team: dict[tuple[int, int | None], int] = {}
        for _pk, community_id, _status, team_id in rows:
            by_team[(community_id, team_id)] = by_team.get((community_id, team_id), 0) + 1
        for (community, team), count in by_team.items():
            notices.escalated(community, team, count)
            publish("workorders.escalated", {"team": team, "count": count}, community_id=community)
    return escalated
