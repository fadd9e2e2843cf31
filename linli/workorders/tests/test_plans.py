"""Maintenance plans: one order per due date however often (and by how many schedulers) the
hourly job runs; a plan that fell behind catches up with one order; the API's rules."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from linli.core.periodic import run_due
from linli.testing import workorders_patrols as wp
from linli.workorders.choices import Source
from linli.workorders.models import MaintenancePlan, Request
from linli.workorders.services import plans

TZ = timezone.get_fixed_timezone(8 * 60)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
TODAY = date(2026, 3, 2)


def test_next_after_is_the_first_due_date_after_today():
    assert plans.next_after(TODAY, 30, TODAY) == date(2026, 4, 1)
    assert plans.next_after(TODAY - timedelta(days=30), 30, TODAY) == date(2026, 4, 1)  # due today too
    assert plans.next_after(TODAY - timedelta(days=45), 30, TODAY) == date(2026, 3, 17)


def _plan(world, p, next_due: date) -> MaintenancePlan:
    return plans.do_create_plan(
        actor=world.admin,
        community_id=world.a.id,
        name="每月灭火器检查",
        category=p.maintenance,
        every_days=30,
        next_due=next_due,
        building_id=world.building.id,
        description="检查压力表和有效期",
    )


@pytest.mark.django_db
def test_a_due_plan_opens_exactly_one_order_when_the_job_runs_twice(world):
    p = wp.patrols(world)
    plan = _plan(world, p, TODAY)
    _plan(world, p, TODAY + timedelta(days=1))  # not due yet

    assert plans.open_due(NOW) == 1
    assert plans.open_due(NOW + timedelta(hours=1)) == 0
    [order] = Request.objects.all()
    assert order.source == Source.SCHEDULE and order.category == p.maintenance
    assert order.building_id == world.building.id and "检查压力表" in order.description
    assert order.status in ("accepted", "assigned")  # dispatched by itself
    plan.refresh_from_db()
    assert plan.next_due == date(2026, 4, 1)


@pytest.mark.django_db
def test_two_schedulers_with_the_same_due_plan_open_one_order(world):
    p = wp.patrols(world)
    plan = _plan(world, p, TODAY)
    seen_by_first, seen_by_second = (MaintenancePlan.objects.get(pk=plan.pk) for _ in range(2))
    assert plans._open(seen_by_first, TODAY) == 1
    assert plans._open(seen_by_second, TODAY) == 0  # its conditional update on next_due lost
    assert Request.objects.count() == 1


@pytest.mark.django_db
def test_a_plan_that_fell_behind_opens_one_order_and_moves_past_today(world):
    p = wp.patrols(world)
    plan = _plan(world, p, TODAY - timedelta(days=95))
    assert plans.open_due(NOW) == 1
    plan.refresh_from_db()
    assert plan.next_due == TODAY + timedelta(days=25) and Request.objects.count() == 1


@pytest.mark.django_db
def test_plans_through_the_api(world, api):
    p = wp.patrols(world)
    url = f"/workorders/communities/{world.a.id}/maintenance-plans"
    body = {"name": "水泵保养", "category_id": p.maintenance.id, "every_days": 90, "next_due": "2026-03-02"}

    r = api(world.staff).post(url, {**body, "category_id": p.finding.id})
    assert r.status_code == 400 and r.json()["code"] == "not_maintenance"
    assert api(world.technician).post(url, body).status_code == 403
    r = api(world.staff).post(url, body)
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    assert [x["name"] for x in api(world.technician).get(url).json()] == ["水泵保养"]

    assert api(world.outsider).get(url).status_code == 404
    assert api(world.outsider).post(f"/workorders/maintenance-plans/{plan_id}/deactivate").status_code == 404
    r = api(world.staff).post(f"/workorders/maintenance-plans/{plan_id}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False
    r = api(world.staff).post(f"/workorders/maintenance-plans/{plan_id}/deactivate")
    assert r.status_code == 409 and r.json()["code"] == "plan_inactive"
    assert plans.open_due(NOW) == 0 and not Request.objects.exists()  # an inactive plan opens nothing


@pytest.mark.django_db
def test_the_scheduler_runs_the_jobs_of_periodic_py(world):
    p = wp.patrols(world)
    _plan(world, p, TODAY)
    ran = run_due(NOW)
    assert {
        "linli.workorders.periodic.open_patrol_runs",
        "linli.workorders.periodic.close_missed_runs",
        "linli.workorders.periodic.open_due_maintenance",
    } <= set(ran)
    assert Request.objects.filter(source=Source.SCHEDULE).count() == 1
    assert "linli.workorders.periodic.open_due_maintenance" not in run_due(NOW)  # claimed once per due time
