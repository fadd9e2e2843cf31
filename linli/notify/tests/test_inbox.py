import pytest
from django.db import transaction

from linli.core.models import OutboxEvent
from linli.notify.models import Notification
from linli.notify.services import notify


def _send(world, users, **extra):
    return notify(
        users=users,
        kind="bill.due",
        title="物业费账单已出",
        body="2026年11月物业费 ¥268.50，请于月底前缴纳",
        link="/bills/",
        community_id=world.a.id,
        **extra,
    )


def test_it_puts_a_message_in_each_recipients_inbox(world, api):
    assert _send(world, [world.owner, world.tenant.id, world.owner]) == 2
    page = api(world.owner).get("/inbox").json()
    assert page["unread_count"] == 1
    [item] = page["items"]
    assert (item["kind"], item["title"], item["link"], item["read_at"]) == (
        "bill.due",
        "物业费账单已出",
        "/bills/",
        None,
    )
    assert api(world.tenant).get("/inbox").json()["unread_count"] == 1
    assert api(world.neighbour).get("/inbox").json() == {"items": [], "next_cursor": None, "unread_count": 0}


def test_it_announces_each_message_on_the_recipients_live_stream(world):
    _send(world, [world.owner, world.tenant])
    events = OutboxEvent.objects.filter(topic="notify.new")
    assert sorted(e.user_id for e in events) == sorted([world.owner.id, world.tenant.id])
    assert events[0].payload == {"kind": "bill.due", "title": "物业费账单已出", "link": "/bills/"}


def test_it_delivers_nothing_when_the_callers_change_rolls_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(world, [world.owner])
        raise RuntimeError("the bill run failed")
    assert not Notification.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_it_hides_other_peoples_messages_as_404(world, api):
    _send(world, [world.owner])
    note = Notification.objects.get()
    for stranger in (world.outsider, world.tenant, world.staff, world.operator):
        r = api(stranger).post(f"/inbox/{note.id}/read")
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), stranger
    note.refresh_from_db()
    assert note.read_at is None


def test_it_marks_one_message_read_once(world, api):
    _send(world, [world.owner])
    _send(world, [world.owner])
    first, second = Notification.objects.order_by("id")
    client = api(world.owner)
    r = client.post(f"/inbox/{first.id}/read")
    assert r.status_code == 200
    read_at = r.json()["read_at"]
    assert read_at
    assert client.post(f"/inbox/{first.id}/read").json()["read_at"] == read_at
    page = client.get("/inbox", {"unread": "true"}).json()
    assert [i["id"] for i in page["items"]] == [second.id]
    assert page["unread_count"] == 1


def test_it_marks_everything_read(world, api):
    for _ in range(3):
        _send(world, [world.owner, world.outsider])
    r = api(world.owner).post("/inbox/read-all")
    assert r.json() == {"marked": 3}
    assert api(world.owner).get("/inbox").json()["unread_count"] == 0
    assert api(world.outsider).get("/inbox").json()["unread_count"] == 3


def test_it_pages_newest_first_with_a_cursor(world, api, django_assert_max_num_queries):
    for n in range(25):
        notify(users=[world.owner], kind="notice", title=f"通知{n}", body="")
    client = api(world.owner)
    seen = []
    cursor = None
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(4):
            page = client.get("/inbox", params).json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"通知{n}" for n in reversed(range(25))]


def test_it_needs_a_sign_in(db, api):
    assert api().get("/inbox").status_code == 401


def test_it_refuses_an_unknown_channel(world):
    with pytest.raises(ValueError):
        _send(world, [world.owner], channels=("pigeon",))
