"""Patrols: runs opened once per due time, check-ins by tag inside the window, missed runs
flagged with their checkpoints, abnormal findings as work orders; and who may do what."""

import io
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.testing import factories as f
from linli.testing import workorders_patrols as wp
from linli.workorders.choices import Source
from linli.workorders.models import CheckIn, PatrolRun, PatrolSchedule, Request
from linli.workorders.models.patrols import RunStatus
from linli.workorders.services import patrols

TZ = timezone.get_fixed_timezone(8 * 60)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)  # 2026-03-02 is a Monday


def test_due_times_follow_times_and_weekdays():
    daily = PatrolSchedule(times=["21:00", "09:00"], weekdays="", window_minutes=60)
    assert patrols.due_times(daily, at(2, 8), at(3, 9)) == [at(2, 9), at(2, 21)]  # the end is open
    assert patrols.due_times(daily, at(2, 9), at(3, 9, 1)) == [at(2, 9), at(2, 21), at(3, 9)]
    weekdays = PatrolSchedule(times=["09:00"], weekdays="0", window_minutes=60)  # Mondays only
    assert patrols.due_times(weekdays, at(1, 0), at(10, 0)) == [at(2, 9), at(9, 9)]


@pytest.mark.django_db
def test_runs_open_once_per_due_time_even_when_the_job_runs_twice(world):
    p = wp.patrols(world)
    patrols.do_add_schedule(actor=world.admin, route=p.route, times=["09:00", "21:00"], window_minutes=60)
    patrols.open_runs(at(2, 8, 30))
    patrols.open_runs(at(2, 8, 30))
    assert list(PatrolRun.objects.order_by("due_at").values_list("due_at", flat=True)) == [
        at(2, 9),
        at(2, 21),
    ]
    patrols.open_runs(at(2, 9, 30))  # a day later's 09:00 joins; today's 09:00 is not opened again
    due = list(PatrolRun.objects.order_by("due_at").values_list("due_at", flat=True))
    assert due == [at(2, 9), at(2, 21), at(3, 9)]
    run = PatrolRun.objects.get(due_at=at(2, 9))
    assert run.window_end == at(2, 10) and run.status == RunStatus.SCHEDULED


@pytest.mark.django_db
def test_a_run_left_open_after_its_window_is_missed_with_its_checkpoints(world, api):
    p = wp.patrols(world)
    patrols.do_add_schedule(actor=world.admin, route=p.route, times=["21:00"], window_minutes=30)
    patrols.open_runs(at(2, 20))
    run = PatrolRun.objects.get()
    patrols.do_check_in(actor=p.guard, run=run, tag_id=wp.TAGS[0], now=at(2, 21, 5))
    assert patrols.close_missed(at(2, 21, 30)) == 0  # the window's last minute still counts
    assert patrols.close_missed(at(2, 21, 31)) == 1
    assert patrols.close_missed(at(2, 21, 32)) == 0
    run.refresh_from_db()
    assert run.status == RunStatus.MISSED and run.finished_at == at(2, 21, 31)
    assert [c["name"] for c in run.missed_checkpoints] == ["地下泵房", "1号楼天台"]

    page = (
        api(world.staff).get(f"/workorders/patrol-routes/{p.route.id}/runs", {"missed_only": "true"}).json()
    )
    [shown] = page["items"]
    assert shown["status"] == "missed" and shown["checked"] == 1 and shown["checkpoints"] == 3
    assert [c["name"] for c in shown["missed_checkpoints"]] == ["地下泵房", "1号楼天台"]
    with pytest.raises(ServiceError) as late:  # a check-in after the window: refused, nothing written
        patrols.do_check_in(actor=p.guard, run=run, tag_id=wp.TAGS[1], now=at(2, 21, 40))
    assert late.value.code == "outside_window"
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
def test_it_walks_a_route_tag_by_tag_until_the_run_completes(world, api):
    p = wp.patrols(world)
    run = wp.open_run(world.admin, p.route)
    guard = api(p.guard)

    mine = guard.get(f"/workorders/communities/{world.a.id}/my-patrol-runs").json()
    assert [r["id"] for r in mine] == [run.id] and mine[0]["checkpoints"] == 3
    for n, tag in enumerate(wp.TAGS, start=1):
        r = guard.post(f"/workorders/patrol-runs/{run.id}/check-ins", {"tag_id": tag})
        assert r.status_code == 201, r.content
        assert r.json()["run_status"] == ("completed" if n == 3 else "in_progress")
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.assignee_id == p.guard.id and run.finished_at
    listed = api(world.staff).get(f"/workorders/patrol-runs/{run.id}/check-ins").json()
    assert [c["checkpoint"] for c in listed] == ["东门岗亭", "地下泵房", "1号楼天台"]


@pytest.mark.django_db
def test_it_refuses_a_wrong_tag_a_second_scan_and_a_run_out_of_its_window(world, api):
    p = wp.patrols(world)
    run = wp.open_run(world.admin, p.route)
    other = patrols.do_create_route(
        actor=world.admin,
        community_id=world.a.id,
        name="白天巡逻",
        team=p.team,
        checkpoints=[{"name": "西门", "tag_id": "A-WEST-01"}],
    )
    guard = api(p.guard)
    url = f"/workorders/patrol-runs/{run.id}/check-ins"

    r = guard.post(url, {"tag_id": "A-WEST-01"})
    assert r.status_code == 400 and r.json()["code"] == "wrong_route"
    r = guard.post(url, {"tag_id": "NOPE"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_tag"
    run.refresh_from_db()
    assert run.status == RunStatus.SCHEDULED and run.assignee_id is None  # nothing written
    assert guard.post(url, {"tag_id": wp.TAGS[0]}).status_code == 201
    r = guard.post(url, {"tag_id": wp.TAGS[0]})
    assert r.status_code == 409 and r.json()["code"] == "already_checked"
    assert CheckIn.objects.filter(run=run).count() == 1

    # The run is the first guard's: a colleague on the same team may not check in on it.
    colleague = f.staff(world.a, "security", "patrol_guard2")
    r = api(colleague).post(url, {"tag_id": wp.TAGS[1]})
    assert r.status_code == 403 and r.json()["code"] == "not_your_run"

    # Tomorrow's run of the other route exists already, but its window is not open yet.
    patrols.do_add_schedule(actor=world.admin, route=other, times=["00:00"], window_minutes=5)
    now = timezone.now()
    patrols.open_runs(now)
    tomorrow = PatrolRun.objects.filter(route=other, due_at__gt=now).first()
    r = guard.post(f"/workorders/patrol-runs/{tomorrow.id}/check-ins", {"tag_id": "A-WEST-01"})
    assert r.status_code == 400 and r.json()["code"] == "outside_window"
    assert not CheckIn.objects.filter(run=tomorrow).exists()


@pytest.mark.django_db
def test_an_abnormal_check_in_opens_a_work_order_for_the_team(world, api):
    p = wp.patrols(world)
    run = wp.open_run(world.admin, p.route)
    r = api(p.guard).post(
        f"/workorders/patrol-runs/{run.id}/check-ins",
        {"tag_id": wp.TAGS[1], "abnormal": True, "note": "泵房漏水"},
    )
    assert r.status_code == 201, r.content
    order = Request.objects.get(pk=r.json()["request_id"])
    assert order.source == Source.PATROL and order.category == p.finding and order.team == p.team
    assert order.building_id == world.building.id and order.place == "地下泵房"
    assert "泵房漏水" in order.description and order.reporter == p.guard
    assert order.status == "assigned" and order.assignee == p.guard  # dispatched by itself
    plain = api(p.guard).post(f"/workorders/patrol-runs/{run.id}/check-ins", {"tag_id": wp.TAGS[0]})
    assert plain.json()["request_id"] is None and Request.objects.count() == 1


@pytest.mark.django_db
def test_a_check_in_photo_is_the_guards_own_and_re_encoded(world, api):
    p = wp.patrols(world)
    run = wp.open_run(world.admin, p.route)
    check_in = patrols.do_check_in(actor=p.guard, run=run, tag_id=wp.TAGS[0])
    url = f"/api/v1/workorders/patrol-check-ins/{check_in.id}/photo"

    refused = api(world.technician).client.post(url, {"file": io.BytesIO(wp.photo())})
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_check_in"
    r = api(p.guard).client.post(url, {"file": io.BytesIO(wp.photo())})
    assert r.status_code == 200 and r.json()["has_photo"], r.content
    shown = api(world.staff).client.get(url)
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    assert api(world.outsider).client.get(url).status_code == 404


@pytest.mark.django_db
def test_routes_are_set_up_by_managers_and_hidden_from_outsiders(world, api):
    p = wp.patrols(world)
    run = wp.open_run(world.admin, p.route)
    body = {"name": "车库巡逻", "team_id": p.team.id, "checkpoints": [{"name": "B1", "tag_id": "A-B1-01"}]}
    url = f"/workorders/communities/{world.a.id}/patrol-routes"

    r = api(world.technician).post(url, body)
    assert r.status_code == 403
    r = api(world.staff).post(url, body)
    assert r.status_code == 201 and r.json()["checkpoints"][0]["tag_id"] == "A-B1-01", r.content
    r = api(world.staff).post(url, {**body, "name": "另一条"})  # the tag is taken in the community
    assert r.status_code == 409 and r.json()["code"] == "route_or_tag_exists"
    r = api(world.staff).post(f"/workorders/patrol-routes/{p.route.id}/schedules", {"times": ["9:00"]})
    assert r.status_code == 422

    outsider = api(world.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, body).status_code == 404
    assert outsider.get(f"/workorders/patrol-routes/{p.route.id}/runs").status_code == 404
    assert (
        outsider.post(f"/workorders/patrol-runs/{run.id}/check-ins", {"tag_id": wp.TAGS[0]}).status_code
        == 404
    )
    assert outsider.get(f"/workorders/communities/{world.a.id}/my-patrol-runs").status_code == 404
    assert not CheckIn.objects.exists()


def _count_queries(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        r = client.get(path)
    assert r.status_code == 200, r.content
    return len(captured), len(r.json()["items"] if "items" in r.json() else r.json())


@pytest.mark.django_db
def test_patrol_lists_keep_their_queries_constant(world, api):
    p = wp.patrols(world)
    patrols.do_add_schedule(actor=world.admin, route=p.route, times=["09:00"], window_minutes=60)
    client = api(world.staff)
    runs = f"/workorders/patrol-routes/{p.route.id}/runs"
    routes = f"/workorders/communities/{world.a.id}/patrol-routes"
    patrols.open_runs(at(2, 8))
    client.get(routes)  # warm the session
    few = _count_queries(client, runs), _count_queries(client, routes)
    for day in range(3, 20):
        patrols.open_runs(at(day, 8))
    for n in range(5):
        patrols.do_create_route(
            actor=world.admin,
            community_id=world.a.id,
            name=f"路线{n}",
            team=p.team,
            checkpoints=[{"name": "点", "tag_id": f"T-{n}-{i}"} for i in range(4)],
        )
    many = _count_queries(client, runs), _count_queries(client, routes)
    assert [q for q, _rows in many] == [q for q, _rows in few]
    assert [rows for _q, rows in many] == [18, 6] and [rows for _q, rows in few] == [1, 1]


@pytest.mark.django_db
def test_probe_ids_cover_every_path_parameter_of_the_router(world):
    from linli.testing.walk import api_operations, missing

    ids = {"community_id": world.a.id, **wp.probe_ids(world)}
    ours = [
        o for o in api_operations() if any(k in o.path for k in ("patrol", "maintenance-plans", "playbook"))
    ]
    assert len(ours) == 15 and not missing(ours, ids)
    assert PatrolRun.objects.get(pk=ids["run_id"]).community_id == world.a.id


@pytest.mark.django_db
def test_a_run_with_every_checkpoint_checked_is_completed_not_missed(world):
    # Two last scans committed at once each counted the other's as missing: the run stayed open.
    p = wp.patrols(world)
    patrols.do_add_schedule(actor=world.admin, route=p.route, times=["21:00"], window_minutes=30)
    patrols.open_runs(at(2, 20))
    run = PatrolRun.objects.get()
    PatrolRun.objects.filter(pk=run.pk).update(status=RunStatus.IN_PROGRESS, assignee=p.guard)
    CheckIn.objects.bulk_create(
        CheckIn(run=run, checkpoint=c, community=world.a, at=at(2, 21, 10), by=p.guard)
        for c in p.route.checkpoints.all()
    )
    assert patrols.close_missed(at(2, 22)) == 0
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.missed_checkpoints == []
