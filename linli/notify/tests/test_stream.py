"""The live stream, read through Django's ASGI test client as a browser's EventSource would."""

import asyncio
import contextlib
import json

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from linli.core.events import publish
from linli.core.models import OutboxEvent
from linli.notify.services import notify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_polls(settings):
    settings.LINLI_SSE_POLL_SECONDS = 0.02
    settings.LINLI_SSE_HEARTBEAT_SECONDS = 0.05
    settings.LINLI_SSE_MAX_SECONDS = 30


def parse(chunk: str) -> dict:
    fields = {}
    for line in chunk.strip("\n").split("\n"):
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


async def read_frames(*, user=None, headers=None, path="/events/stream", until, limit=50):
    """Opens the stream and reads frames until `until(frames)` holds, then hangs up."""
    client = AsyncClient()
    if user is not None:
        await client.aforce_login(user)
    response = await client.get(path, headers=headers or {})
    if response.status_code != 200:
        return response, []
    frames = []
    chunks = aiter(response.streaming_content)
    try:
        while not until(frames) and len(frames) < limit:
            try:
                chunk = await asyncio.wait_for(anext(chunks), timeout=5)
            except StopAsyncIteration:  # the server ended the stream
                break
            frames.append(parse(chunk.decode()))
    finally:
        await response.streaming_content.aclose()
    return response, frames


def events(frames, topic):
    return [f for f in frames if f.get("event") == topic]


def test_it_streams_my_events_from_last_event_id(world):
    publish("notify.new", {"title": "旧消息"}, users=[world.owner.id])
    start = OutboxEvent.objects.latest("id").id
    notify(users=[world.owner], kind="bill.due", title="物业费账单已出", body="")
    publish("notify.new", {"title": "给别人的"}, users=[world.outsider.id])
    publish("alarm.raised", {"device": 7}, community_id=world.a.id)

    response, frames = async_to_sync(read_frames)(
        user=world.owner,
        headers={"Last-Event-ID": str(start)},
        until=lambda fs: len(fs) >= 4,
    )
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert frames[0] == {"retry": "3000"}
    assert events(frames, "ready") == [
        {"id": str(start), "event": "ready", "data": f'{{"last_event_id":{start}}}'}
    ]
    [mine] = events(frames, "notify.new")
    # compared as JSON: PostgreSQL's jsonb does not keep key order
    assert json.loads(mine["data"]) == {"kind": "bill.due", "title": "物业费账单已出", "link": ""}
    assert int(mine["id"]) > start
    assert events(frames, "alarm.raised") == []  # a community event is for that community's staff


def a_keep_alive_after_an_alarm(frames) -> bool:
    """The stream sent an alarm, and went quiet after it: both alarms, committed before it
    opened, would have come in the same catch-up. (A keep-alive alone may come first, while the
    stream waits for the shared reader's first read.)"""
    alarms = [i for i, f in enumerate(frames) if f.get("event") == "alarm.raised"]
    return bool(alarms) and any(f.get("") == "keep-alive" for f in frames[alarms[0] :])


def test_it_streams_community_events_to_that_communitys_staff_only(world):
    start = OutboxEvent.objects.count()
    publish("alarm.raised", {"device": 7}, community_id=world.a.id)
    publish("alarm.raised", {"device": 9}, community_id=world.b.id)

    _r, frames = async_to_sync(read_frames)(
        user=world.staff, headers={"Last-Event-ID": str(start)}, until=a_keep_alive_after_an_alarm
    )
    assert [f["data"] for f in events(frames, "alarm.raised")] == ['{"device":7}']

    _r, frames = async_to_sync(read_frames)(
        user=world.outsider, headers={"Last-Event-ID": str(start)}, until=a_keep_alive_after_an_alarm
    )
    assert [f["data"] for f in events(frames, "alarm.raised")] == ['{"device":9}']


def test_it_starts_from_now_without_a_last_event_id_and_sends_what_comes_next(world):
    publish("notify.new", {"title": "旧消息"}, users=[world.owner.id])

    async def open_then_publish():
        client = AsyncClient()
        await client.aforce_login(world.owner)
        response = await client.get("/events/stream")
        chunks = aiter(response.streaming_content)
        try:
            frames = [parse((await anext(chunks)).decode()) for _ in range(2)]
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: publish("notify.new", {"title": "新消息"}, users=[world.owner.id])
            )
            while not events(frames, "notify.new"):
                frames.append(parse((await asyncio.wait_for(anext(chunks), timeout=5)).decode()))
        finally:
            await response.streaming_content.aclose()
        return frames

    frames = async_to_sync(open_then_publish)()
    [ready] = events(frames, "ready")
    assert int(ready["id"]) == OutboxEvent.objects.order_by("id")[0].id
    assert [f["data"] for f in events(frames, "notify.new")] == ['{"title":"新消息"}']


def test_it_accepts_a_bearer_token(world, api):
    raw = api(world.tenant).post("/auth/tokens", {"name": "app"}).json()["token"]
    publish("notify.new", {"title": "给租客"}, users=[world.tenant.id])
    _r, frames = async_to_sync(read_frames)(
        headers={"Authorization": f"Bearer {raw}", "Last-Event-ID": "0"},
        until=lambda fs: bool(events(fs, "notify.new")),
    )
    assert [f["data"] for f in events(frames, "notify.new")] == ['{"title":"给租客"}']


def test_it_refuses_a_stranger(world):
    for headers in ({}, {"Authorization": "Bearer lnl_forged"}, {"Authorization": "Basic eDp5"}):
        response, _frames = async_to_sync(read_frames)(headers=headers, until=lambda fs: True)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_it_ends_the_stream_after_its_lifetime(world, settings):
    settings.LINLI_SSE_MAX_SECONDS = 0.1
    _r, frames = async_to_sync(read_frames)(user=world.owner, until=lambda fs: False, limit=10_000)
    assert events(frames, "ready")
    assert len(frames) < 10_000  # it ended by itself; the browser reconnects with Last-Event-ID


async def _open(client):
    """One stream kept reading in the background, as a browser's EventSource does."""
    response = await client.get("/events/stream")
    if response.status_code == 200:
        chunks = aiter(response.streaming_content)
        await anext(chunks)  # the stream is live
        response.reader = asyncio.ensure_future(_drain(chunks))
    return response


async def _drain(chunks):
    async for _chunk in chunks:
        pass


async def _hang_up(response):
    """What the ASGI handler does when the browser goes away: it cancels the task sending the body."""
    response.reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await response.reader


def test_it_caps_the_streams_one_user_holds_open(world, settings):
    settings.LINLI_SSE_MAX_STREAMS_PER_USER = 3

    async def scenario():
        owner, other = AsyncClient(), AsyncClient()
        await owner.aforce_login(world.owner)
        await other.aforce_login(world.tenant)
        held = [await _open(owner) for _ in range(3)]
        assert [r.status_code for r in held] == [200, 200, 200]

        refused = await _open(owner)
        assert refused.status_code == 429 and refused["Retry-After"] == "30"
        assert json.loads(refused.content)["code"] == "too_many_streams"
        theirs = await _open(other)
        assert theirs.status_code == 200  # the cap is per user

        await _hang_up(held[0])  # a tab closed: its slot is free again
        again = await _open(owner)
        assert again.status_code == 200
        for response in [*held[1:], again, theirs]:
            await _hang_up(response)
        reopened = [await _open(owner) for _ in range(3)]
        for response in reopened:
            await _hang_up(response)
        return [r.status_code for r in reopened]

    assert async_to_sync(scenario)() == [200, 200, 200]  # every slot came back on hang-up
