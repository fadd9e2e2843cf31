"""The leaking pipe, through the API as the apps call it: reported with a photo, dispatched by
itself to the plumber on duty, worked, finished, rated; and what others may not do on the way."""

import io

import pytest
from PIL import Image

from linli.testing import workorders as wo
from linli.workorders.models import Handler, Request


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_it_takes_a_leak_from_report_to_rating(world, api):
    c = wo.crew(world)
    owner, tech = api(world.owner), api(world.technician)

    r = owner.post(
        "/workorders/requests",
        {
            "community_id": world.a.id,
            "category_id": c.repair.id,
            "description": "厨房水管漏水，地面积水",
            "house_id": world.house.id,
            "answers": {"room": "厨房"},
            "preferred_time": "今天下午",
        },
    )
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["status"] == "assigned" and order["assignee_id"] == world.technician.id
    assert order["hops"] == 1 and order["respond_due"] and order["resolve_due"]
    assert "138****0001" in order["contact"]
    assert Handler.objects.get(pk=c.plumber.pk).open_count == 1

    upload = owner.client.post(
        f"/api/v1/workorders/requests/{order['id']}/attachments",
        {"file": io.BytesIO(_photo()), "stage": "report"},
    )
    assert upload.status_code == 201, upload.content

    queue = tech.get("/workorders/queue").json()["items"]
    assert [o["id"] for o in queue] == [order["id"]]
    for action in ("ack", "depart", "start"):
        r = tech.post(f"/workorders/requests/{order['id']}/actions/{action}", {})
        assert r.status_code == 200, (action, r.content)
    assert (
        tech.post(f"/workorders/requests/{order['id']}/charges", {"price_item_id": c.price.id}).status_code
        == 201
    )
    done = tech.post(
        f"/workorders/requests/{order['id']}/actions/complete", {"reason": "已更换水龙头"}
    ).json()
    assert done["status"] == "done" and done["charge_fen"] == 8000
    assert Handler.objects.get(pk=c.plumber.pk).open_count == 0

    mine = owner.get(f"/workorders/requests/{order['id']}").json()
    assert [e["action"] for e in mine["timeline"]] == [
        "report",
        "accept",
        "assign",
        "ack",
        "depart",
        "start",
        "complete",
    ]
    assert "rate" not in mine["actions"] and "confirm" in mine["actions"]
    rated = owner.post(f"/workorders/requests/{order['id']}/rating", {"rating": 5, "tags": ["准时", "专业"]})
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == "closed" and rated.json()["rating"] == 5
    again = owner.post(f"/workorders/requests/{order['id']}/rating", {"rating": 1})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"


@pytest.mark.django_db
def test_it_refuses_what_is_not_yours_and_changes_nothing(world, api):
    c = wo.crew(world)
    order = wo.report(world, c)
    before = Request.objects.values().get(pk=order.pk)

    # The neighbour is not the reporter: the request is not theirs to see, rate or cancel.
    neighbour = api(world.neighbour)
    assert neighbour.get(f"/workorders/requests/{order.pk}").status_code == 404
    assert neighbour.post(f"/workorders/requests/{order.pk}/rating", {"rating": 1}).status_code == 404
    # The grid worker holds handle rights but the order is the plumber's.
    r = api(world.grid_worker).post(f"/workorders/requests/{order.pk}/actions/start", {})
    assert r.status_code == 403 and r.json()["code"] == "not_your_order"
    # Out of order: the plumber cannot finish what they never started.
    r = api(world.technician).post(f"/workorders/requests/{order.pk}/actions/complete", {})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    # A reason is required to hand it back.
    r = api(world.technician).post(f"/workorders/requests/{order.pk}/actions/return", {})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    # The owner may not report for a house that is not theirs.
    r = api(world.owner).post(
        "/workorders/requests",
        {
            "community_id": world.a.id,
            "category_id": c.repair.id,
            "description": "x",
            "house_id": world.neighbour_house.id,
        },
    )
    assert r.status_code == 403 and r.json()["code"] == "not_your_house"
    assert Request.objects.values().get(pk=order.pk) == before


@pytest.mark.django_db
def test_working_hours_are_changed_and_audited(world, api):
    admin = api(world.admin)
    body = {
        "dispatch_mode": "grab",
        "work_start": "09:00",
        "work_end": "18:00",
        "reopen_days": 5,
        "auto_close_days": 2,
        "remind_before_minutes": 60,
        "extra_holidays": ["2026-12-24", "2026-12-24"],
        "extra_workdays": ["2026-12-26"],
    }
    r = admin.put(f"/workorders/communities/{world.a.id}/settings", body)
    assert r.status_code == 200, r.content
    assert r.json()["work_start"].startswith("09:00") and r.json()["dispatch_mode"] == "grab"
    assert r.json()["extra_holidays"] == ["2026-12-24"] and r.json()["extra_workdays"] == ["2026-12-26"]
    r = admin.put(f"/workorders/communities/{world.a.id}/settings", {**body, "work_start": 3600})
    assert r.status_code == 422
    r = admin.put(f"/workorders/communities/{world.a.id}/settings", {**body, "work_end": "08:00"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_hours"
    assert admin.get(f"/workorders/communities/{world.a.id}/settings").json()["work_end"].startswith("18:00")
