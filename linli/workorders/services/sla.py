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
from django.utils import timezone

from linli.core.events import publish
from linli.workorders.choices import OPEN
from linli.workorders.models import Request, RequestEvent, SlaPolicy
from linli.workorders.services import notices
from linli.workorders.services.clock import WorkCalendar, deadline
from linli.workorders.services.setup import settings_of

BATCH = 500


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
    """Tells the holder (or the desk) an order falls due soon; once per order and deadline."""
    count = 0
    # The longest lead any community uses bounds the read; each row checks its own lead.
    horizon = now + timedelta(hours=24)
    rows = (
        _open("resolve_due", "resolved_at")
        .filter(resolve_due__gt=now, resolve_due__lte=horizon, reminded_at__isnull=True)
        .order_by("resolve_due")
        .values_list("id", "community_id", "resolve_due")[:BATCH]
    )
    for pk, community_id, due in rows:
        lead = timedelta(minutes=settings_of(community_id).remind_before_minutes)
        if due - lead > now:
            continue
        with transaction.atomic():
            if Request.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                notices.reminder(Request.objects.get(pk=pk))
                count += 1
    return count


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
    """An overdue order not yet escalated goes to its team's supervisor (once)."""
    rows = list(
        Request.objects.filter(status__in=OPEN, escalated_at__isnull=True)
        .filter(resolution_overdue=True)
        .values_list("id", flat=True)[:BATCH]
    ) + list(
        Request.objects.filter(status__in=OPEN, escalated_at__isnull=True, response_overdue=True).values_list(
            "id", flat=True
        )[:BATCH]
    )
    count = 0
    for pk in dict.fromkeys(rows):
        with transaction.atomic():
            if not Request.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            request = Request.objects.select_related("team").get(pk=pk)
            RequestEvent.objects.create(
                request=request,
                community_id=request.community_id,
                at=now,
                action="escalate",
                from_status=request.status,
                to_status=request.status,
            )
            notices.escalated(request)
            publish("workorders.escalated", {"request": pk}, community_id=request.community_id)
            count += 1
    return count
