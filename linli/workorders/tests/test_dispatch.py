"""Automatic dispatch: the skill the category needs, where the handler works, whether they are on
duty and on today's roster, and fairness between equals (fewest open orders, then longest wait)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.testing import factories as f
from linli.testing import workorders as wo
from linli.workorders.choices import Status
from linli.workorders.models import Handler
from linli.workorders.services import flow, setup


@pytest.fixture
def two_plumbers(world):
    c = wo.crew(world)
    second = f.staff(world.a, "technician", "tech2")
    other = setup.do_add_handler(actor=world.admin, team=c.team, user=second, skills=["plumbing"])
    return c, other


@pytest.mark.django_db
def test_equal_plumbers_share_the_work_evenly(world, two_plumbers):
    c, other = two_plumbers
    orders = [wo.report(world, c, f"漏水{i}") for i in range(6)]
    assignees = [o.assignee_id for o in orders]
    assert assignees.count(world.technician.pk) == 3 and assignees.count(other.user_id) == 3
    assert assignees[:2] != [assignees[0]] * 2  # alternating, not one then the other
    loads = dict(Handler.objects.filter(team=c.team).values_list("user_id", "open_count"))
    assert loads == {world.technician.pk: 3, other.user_id: 3}


@pytest.mark.django_db
def test_the_lighter_load_wins_after_one_finishes(world, two_plumbers):
    c, _other = two_plumbers
    first, second = wo.report(world, c, "漏水1"), wo.report(world, c, "漏水2")
    finished = first if first.assignee_id == world.technician.pk else second
    for action in ("start", "complete"):
        finished = flow.do_transition(actor=world.technician, request=finished, action=action)
    assert wo.report(world, c, "漏水3").assignee_id == world.technician.pk


@pytest.mark.django_db
def test_skill_place_duty_and_roster_decide(world, two_plumbers):
    c, other = two_plumbers
    # No electrician skill on the second plumber: an electric category goes to the first only.
    from linli.workorders.choices import Kind

    electric = setup.do_create_category(
        actor=world.admin,
        community_id=world.a.id,
        code="power",
        name="停电",
        kind=Kind.REPAIR,
        skill="electric",
        default_team=c.team,
    )
    from linli.workorders.services import intake

    o = intake.do_report(
        actor=world.owner,
        community_id=world.a.id,
        category_id=electric.id,
        description="停电",
        house_id=world.house.id,
    )
    assert o.assignee_id == world.technician.pk
    # Off duty: nobody with the skill is free, the order waits accepted in the team's pool.
    setup.do_set_duty(actor=world.technician, on_duty=False)
    o = intake.do_report(
        actor=world.owner,
        community_id=world.a.id,
        category_id=electric.id,
        description="又停电",
        house_id=world.house.id,
    )
    assert (o.status, o.assignee_id) == (Status.ACCEPTED, None)
    # Not on today's roster: the second plumber is skipped.
    setup.do_set_duty(actor=world.technician, on_duty=True)
    tomorrow = str((timezone.localdate().weekday() + 1) % 7)
    Handler.objects.filter(pk=c.plumber.pk).update(duty_weekdays=tomorrow)
    assert wo.report(world, c).assignee_id == other.user_id
    # Works only in 2号楼: not given 1号楼's leak.
    building2 = f.building(world.a, "2号楼")
    Handler.objects.filter(pk=other.pk).update(building=building2)
    assert wo.report(world, c).assignee_id is None


@pytest.mark.django_db
def test_an_incident_goes_to_the_grid_worker_and_escalates_to_a_department(world, api):
    c = wo.crew(world)
    street = setup.do_create_team(
        actor=world.admin, community_id=world.a.id, name="街道城管科", kind="street_office"
    )
    r = api(world.front_desk).post(
        f"/workorders/communities/{world.a.id}/requests",
        {
            "category_id": c.incident.id,
            "description": "车辆占用消防通道超过10分钟",
            "building_id": world.building.id,
        },
    )
    assert r.status_code == 201, r.content
    incident = r.json()
    assert incident["assignee_id"] == world.grid_worker.pk and incident["kind"] == "incident"
    r = api(world.grid_worker).post(
        f"/workorders/requests/{incident['id']}/actions/transfer",
        {"team_id": street.id, "reason": "多次劝离无效，需执法"},
    )
    assert r.status_code == 200, r.content
    moved = r.json()
    assert (moved["status"], moved["team_id"], moved["assignee_id"], moved["hops"]) == (
        "accepted",
        street.id,
        None,
        2,
    )
    # The grid worker stays responsible until someone at the department takes it.
    from linli.workorders.models import Request

    assert Request.objects.get(pk=incident["id"]).responsible_id == world.grid_worker.pk


@pytest.mark.django_db
def test_a_department_handler_takes_the_transferred_incident(world):
    c = wo.crew(world)
    street = setup.do_create_team(
        actor=world.admin, community_id=world.a.id, name="街道城管科", kind="street_office"
    )
    officer = f.staff(world.a, "grid_worker", "street_officer")
    setup.do_add_handler(actor=world.admin, team=street, user=officer)
    from linli.workorders.services import intake

    incident = intake.open_request(
        actor=world.front_desk,
        community_id=world.a.id,
        category=c.incident,
        description="占用消防通道",
        building_id=world.building.id,
    )
    moved = flow.do_transition(
        actor=world.grid_worker, request=incident, action="transfer", team=street, reason="需执法"
    )
    assert (moved.status, moved.assignee_id, moved.team_id, moved.hops) == (
        Status.ASSIGNED,
        officer.pk,
        street.pk,
        3,
    )
    assert moved.responsible_id == officer.pk
    assert Handler.objects.get(team=c.grid_team).open_count == 0


@pytest.mark.django_db
def test_statistics_per_grid_count_and_time_without_names(world, api):
    from linli.workorders.models import Request

    c = wo.crew(world)
    grid = world.a.grids.create(name="一网格")
    grid.buildings.add(world.building)
    order = wo.report(world, c)
    for action in ("start", "complete"):
        order = flow.do_transition(actor=world.technician, request=order, action=action)
    Request.objects.filter(pk=order.pk).update(created_at=order.resolved_at - timedelta(hours=3))
    wo.report(world, c, "又漏了")
    stats = api(world.grid_worker).get(f"/workorders/communities/{world.a.id}/statistics").json()
    assert stats["grids"] == [
        {"grid": "一网格", "total": 2, "open": 1, "resolved": 1, "overdue": 0, "avg_resolve_hours": 3.0}
    ]
    assert stats["all"]["total"] == 2 and stats["categories"][0]["category"] == "水管漏水"
    assert "王" not in str(stats) and "1380" not in str(stats)
    assert api(world.technician).get(f"/workorders/communities/{world.a.id}/statistics").status_code == 404


@pytest.mark.django_db
def test_a_technician_of_another_community_reaches_nothing(world, api):
    c = wo.crew(world)
    order = wo.report(world, c)
    stranger = api(f.staff(world.b, "technician", "tech_b"))
    assert stranger.get(f"/workorders/requests/{order.pk}").status_code == 404
    assert stranger.post(f"/workorders/requests/{order.pk}/actions/start", {}).status_code == 404
    assert stranger.get("/workorders/queue").json()["items"] == []
    assert stranger.get(f"/workorders/communities/{world.a.id}/pool").status_code == 404
