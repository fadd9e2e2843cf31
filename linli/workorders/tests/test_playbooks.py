"""Emergency playbooks: one trigger opens the incident and every task, dispatched, all or
nothing; only dispatchers of the community may trigger."""

import pytest

from linli.testing import workorders as wo
from linli.workorders.choices import Priority, Source
from linli.workorders.models import Category, Playbook, PlaybookTask, Request
from linli.workorders.services import playbooks


@pytest.fixture
def elevator(world):
    wo.crew(world)
    playbooks.default_playbooks(world.a.id)
    return Playbook.objects.get(community=world.a, code="elevator_entrapment")


@pytest.mark.django_db
def test_default_playbooks_are_seeded_once(world, api):
    r = api(world.staff).post(f"/workorders/communities/{world.a.id}/playbooks/defaults")
    assert r.status_code == 201, r.content
    assert sorted(p["code"] for p in r.json()) == ["elevator_entrapment", "fire", "flooding", "gas"]
    elevator = next(p for p in r.json() if p["code"] == "elevator_entrapment")
    assert [(t["title"], t["priority"]) for t in elevator["tasks"]] == [
        ("安抚被困人员并通知电梯维保", "urgent"),
        ("物业工程到场", "urgent"),
        ("通知网格员", "high"),
    ]
    assert playbooks.default_playbooks(world.a.id) == []
    assert Playbook.objects.count() == 4
    assert (
        api(world.technician).post(f"/workorders/communities/{world.a.id}/playbooks/defaults").status_code
        == 403
    )


@pytest.mark.django_db
def test_triggering_opens_the_incident_and_its_tasks_dispatched(world, api, elevator):
    r = api(world.front_desk).post(
        f"/workorders/playbooks/{elevator.id}/trigger",
        {"building_id": world.building.id, "note": "2号梯困2人"},
    )
    assert r.status_code == 201, r.content
    incident = Request.objects.get(pk=r.json()["id"])
    assert incident.source == Source.PLAYBOOK and incident.priority == Priority.URGENT
    assert incident.parent is None and "2号梯困2人" in incident.description
    tasks = list(Request.objects.filter(parent=incident).order_by("id"))
    assert [t.id for t in tasks] == r.json()["tasks"]
    assert [(t.description.split("（")[0], t.priority) for t in tasks] == [
        ("安抚被困人员并通知电梯维保", "urgent"),
        ("物业工程到场", "urgent"),
        ("通知网格员", "high"),
    ]
    assert all(t.source == Source.PLAYBOOK and t.building_id == world.building.id for t in tasks)
    assert all(t.status != "submitted" for t in [incident, *tasks])  # each dispatched by itself


@pytest.mark.django_db
def test_triggering_is_for_dispatchers_of_the_community_and_all_or_nothing(world, api, elevator):
    url = f"/workorders/playbooks/{elevator.id}/trigger"
    r = api(world.technician).post(url, {})
    assert r.status_code == 403
    assert api(world.outsider).post(url, {}).status_code == 404
    assert api(world.outsider).get(f"/workorders/communities/{world.a.id}/playbooks").status_code == 404

    # A task whose category is not the community's fails the last step: nothing at all is opened.
    foreign = Category.objects.create(community=world.b, code="x", name="外部", kind="incident")
    PlaybookTask.objects.create(playbook=elevator, order=9, title="错误任务", category=foreign)
    r = api(world.staff).post(url, {})
    assert r.status_code == 400 and r.json()["code"] == "unknown_category"
    assert not Request.objects.exists()

    Playbook.objects.filter(pk=elevator.pk).update(active=False)
    r = api(world.staff).post(url, {})
    assert r.status_code == 409 and r.json()["code"] == "playbook_inactive"
