"""The SLA scan: a reminder before the deadline, overdue marks after it, one escalation to the
team's supervisor, and nothing more when it runs again (two schedulers, or the next minute)."""

from datetime import timedelta

import pytest
from django.urls import resolve
from django.utils import timezone

from linli.notify.models import Notification
from linli.testing import workorders as wo
from linli.workorders.models import Request
from linli.workorders.services import flow, sla


@pytest.mark.django_db
def test_reminds_marks_and_escalates_once(world):
    c = wo.crew(world)
    order = wo.report(world, c)
    now = timezone.now()
    Request.objects.filter(pk=order.pk).update(
        respond_due=now + timedelta(hours=1), resolve_due=now + timedelta(minutes=20)
    )

    assert sla.scan(now) == {"reminded": 1, "response_overdue": 0, "resolution_overdue": 0, "escalated": 0}
    assert Notification.objects.filter(recipient=world.technician, kind="workorder.due_soon").count() == 1

    later = now + timedelta(hours=2)
    assert sla.scan(later) == {"reminded": 0, "response_overdue": 1, "resolution_overdue": 1, "escalated": 1}
    order.refresh_from_db()
    assert order.response_overdue and order.resolution_overdue and order.escalated_at == later
    assert Notification.objects.filter(recipient=world.staff, kind="workorder.escalated").count() == 1
    # Each message links to a page that exists: the SLA board, the technician's queue.
    for note in Notification.objects.filter(kind__in=("workorder.escalated", "workorder.due_soon")):
        assert resolve(note.link), note.link
    assert [e.action for e in order.events.order_by("id")][-3:] == [
        "response_overdue",
        "resolution_overdue",
        "escalate",
    ]

    assert sla.scan(later + timedelta(minutes=1)) == {
        "reminded": 0,
        "response_overdue": 0,
        "resolution_overdue": 0,
        "escalated": 0,
    }


@pytest.mark.django_db
def test_a_met_deadline_is_never_marked(world):
    c = wo.crew(world)
    order = wo.report(world, c)
    flow.do_transition(actor=world.technician, request=order, action="ack")
    now = timezone.now()
    Request.objects.filter(pk=order.pk).update(respond_due=now - timedelta(minutes=1))
    assert sla.scan(now)["response_overdue"] == 0


@pytest.mark.django_db
def test_finished_orders_keep_their_marks_and_leave_the_scan(world):
    """An overdue mark stays on a finished order (it feeds the staff reports)."""
    c = wo.crew(world)
    order = wo.report(world, c)
    now = timezone.now()
    Request.objects.filter(pk=order.pk).update(resolve_due=now - timedelta(minutes=5))
    sla.scan(now)
    for action in ("start", "complete"):
        order = flow.do_transition(actor=world.technician, request=order, action=action)
    assert order.resolution_overdue
    assert sla.scan(now + timedelta(hours=1))["resolution_overdue"] == 0


@pytest.mark.django_db
def test_a_checked_order_left_unrated_closes_by_itself(world):
    from linli.workorders.services import closing

    c = wo.crew(world)
    order = wo.report(world, c)
    for actor, action in (
        (world.technician, "start"),
        (world.technician, "complete"),
        (world.staff, "check"),
    ):
        order = flow.do_transition(actor=actor, request=order, action=action)
    now = timezone.now()
    assert closing.close_checked(now + timedelta(days=2)) == 0
    assert closing.close_checked(now + timedelta(days=3, minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == "closed" and order.closed_at
    assert closing.close_checked(now + timedelta(days=4)) == 0


@pytest.mark.django_db
def test_a_reopened_order_is_not_escalated_again_for_its_old_late_response(world):
    c = wo.crew(world)
    order = wo.report(world, c)
    now = timezone.now()
    Request.objects.filter(pk=order.pk).update(respond_due=now - timedelta(minutes=5))
    sla.scan(now)
    order = flow.do_transition(actor=world.technician, request=order, action="start")
    order = flow.do_transition(actor=world.technician, request=order, action="complete")
    order = flow.do_rate(actor=world.owner, request=order, rating=2, tags=[])
    order = flow.do_transition(actor=world.owner, request=order, action="reopen", reason="还在漏")
    assert order.reminded_at is None and order.escalated_at is None
    assert sla.scan(now + timedelta(minutes=1))["escalated"] == 0
