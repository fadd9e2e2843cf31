"""Many open streams share one reader of the outbox: idle streams cost no query, each event
reaches exactly the streams it is for, a stream's hand-over from its own catch-up to the shared
feed neither loses nor repeats an event, and the reader survives a database error."""

import asyncio
import contextlib
import random
import threading
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import OperationalError, connection
from django.db.backends import utils as db_utils
from django.test import AsyncClient

from linli.core.events import publish
from linli.core.models import OutboxEvent
from linli.notify import feed
from linli.notify.queries import latest_event_id
from linli.notify.tests.test_stream import events, parse

pytestmark = pytest.mark.django_db(transaction=True)

POLL = 0.05


@pytest.fixture(autouse=True)
def quick_polls(settings):
    settings.LINLI_SSE_POLL_SECONDS = POLL
    settings.LINLI_SSE_HEARTBEAT_SECONDS = 0.05
    settings.LINLI_SSE_MAX_SECONDS = 30
    settings.LINLI_SSE_MAX_STREAMS_PER_USER = 10


def outbox_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT") and "core_outboxevent" in sql


class Queries:
    """Every statement the server runs, on any thread and connection (the stream reads the outbox
    from a thread pool, where a per-connection capture sees nothing)."""

    def __init__(self):
        self.sql: list[str] = []
        self.fail_next_outbox_read = False
        self.failed = 0

    def wrap(self, execute):
        queries = self

        def counted(cursor, sql, *args, **kwargs):
            queries.sql.append(sql)
            if queries.fail_next_outbox_read and outbox_read(sql):
                queries.fail_next_outbox_read = False
                queries.failed += 1
                raise OperationalError("server closed the connection unexpectedly")
            return execute(cursor, sql, *args, **kwargs)

        return counted


@pytest.fixture
def queries(monkeypatch):
    recorder = Queries()
    monkeypatch.setattr(db_utils.CursorWrapper, "execute", recorder.wrap(db_utils.CursorWrapper.execute))
    return recorder


class Stream:
    """One open stream, read in the background as a browser's EventSource does."""

    def __init__(self, response):
        self.response = response
        self.frames: list[dict] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, client, headers=None) -> "Stream":
        response = await client.get("/events/stream", headers=headers or {})
        assert response.status_code == 200
        return cls(response)

    async def _read(self):
        async for chunk in self.response.streaming_content:
            self.frames.append(parse(chunk.decode()))

    def ids(self) -> list[int]:
        return [int(f["id"]) for f in self.frames if "id" in f and f.get("event") != "ready"]

    def idle(self) -> bool:
        """Caught up and waiting on the feed: the poller has started, and a heartbeat came."""
        return watermark() is not None and any(f.get("") == "keep-alive" for f in self.frames)

    async def close(self):
        self.reader.cancel()  # what the ASGI handler does when the browser goes away
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


def watermark() -> int | None:
    """How far the running event loop's shared poller has read."""
    running = feed._feeds.get(asyncio.get_running_loop())
    return running and running.watermark


async def until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def signed_in(user) -> AsyncClient:
    client = AsyncClient()
    await client.aforce_login(user)
    return client


def everyone(world):
    return [
        world.owner,
        world.tenant,
        world.neighbour,
        world.staff,
        world.front_desk,
        world.technician,
        world.grid_worker,
        world.admin,
        world.outsider,
        world.operator,
    ]


def test_it_reads_the_outbox_once_per_interval_however_many_streams_are_open(world, queries):
    window = 1.0

    async def scenario():
        await asyncio.sleep(3 * POLL)
        before_any = len(queries.sql)
        streams = []
        for user in everyone(world):
            client = await signed_in(user)
            streams += [await Stream.open(client) for _ in range(5)]
        await until(lambda: all(s.idle() for s in streams))
        # The requests' thread (here the test's own) gave its database connection back.
        held = await sync_to_async(lambda: connection.connection is not None)()
        start = len(queries.sql)
        await asyncio.sleep(window)
        while_idle = queries.sql[start:]
        for stream in streams:
            await stream.close()
        await asyncio.sleep(3 * POLL)  # the poller notices and ends
        closed = len(queries.sql)
        await asyncio.sleep(window / 2)
        return len(streams), held, before_any, while_idle, queries.sql[closed:]

    opened, held, before_any, while_idle, after_close = async_to_sync(scenario)()
    assert opened == 50
    assert not held
    assert before_any == 0  # no stream, no poller
    reads = [s for s in while_idle if outbox_read(s)]
    assert reads == while_idle  # idle streams run no query of their own, not even a session check
    assert 1 <= len(reads) <= window / POLL + 3  # one read per interval, not one per stream
    assert after_close == []  # the last stream closed: the poller stopped


def test_it_hands_each_event_to_exactly_the_streams_it_is_for(world):
    readers = [world.owner, world.owner, world.tenant, world.staff, world.front_desk, world.outsider]
    readers.append(world.operator)

    async def scenario():
        streams = [await Stream.open(await signed_in(user)) for user in readers]
        await until(lambda: all(s.idle() for s in streams))
        await sync_to_async(publish)("notify.new", {"to": "owner"}, users=[world.owner.id])
        await sync_to_async(publish)("alarm.raised", {"to": "staff of a"}, community_id=world.a.id)
        await sync_to_async(publish)("alarm.raised", {"to": "staff of b"}, community_id=world.b.id)
        await sync_to_async(publish)("notify.new", {"to": "tenant"}, users=[world.tenant.id])
        await sync_to_async(publish)("nobodys", {})  # neither user nor community
        last = (await sync_to_async(OutboxEvent.objects.latest)("id")).id
        # An event for every reader, after the others: once it is in, nothing earlier can come.
        await sync_to_async(publish)("marker", {}, users={u.id for u in readers})
        await until(lambda: all(events(s.frames, "marker") for s in streams))
        for stream in streams:
            await stream.close()
        return [
            [f["data"] for f in s.frames if f.get("id") and int(f["id"]) <= last and f["event"] != "ready"]
            for s in streams
        ]

    got = async_to_sync(scenario)()
    assert got == [
        ['{"to":"owner"}'],  # both of the owner's streams
        ['{"to":"owner"}'],
        ['{"to":"tenant"}'],
        ['{"to":"staff of a"}'],  # every role holder of community a
        ['{"to":"staff of a"}'],
        ['{"to":"staff of b"}'],  # the outsider is community b's admin
        [],  # the operator holds no role in a community
    ]


def test_a_stream_that_resumes_while_the_poller_reads_gets_each_event_once(world, monkeypatch):
    """The race at hand-over: the shared poller reads a new event while the stream's own catch-up
    (from its Last-Event-ID up to the poller's watermark) is still in flight."""
    start = latest_event_id()
    for i in range(3):
        publish("notify.new", {"n": i}, users=[world.owner.id])
    catch_up = feed._stream_events
    during = []

    async def slow_catch_up(audience, *args):
        if audience.user_id == world.owner.id and not during:
            # Before the owner's first catch-up read: an event comes, and the poller reads it.
            await sync_to_async(publish)("notify.new", {"n": "during"}, users=[world.owner.id])
            during.append(await sync_to_async(latest_event_id)())
            await until(lambda: watermark() >= during[0])
        return await catch_up(audience, *args)

    monkeypatch.setattr(feed, "_stream_events", slow_catch_up)

    async def scenario():
        # A first stream keeps the poller running, so the second one subscribes to a live feed.
        other = await Stream.open(await signed_in(world.tenant))
        await until(other.idle)
        stream = await Stream.open(await signed_in(world.owner), headers={"Last-Event-ID": str(start)})
        await until(lambda: during and during[0] in stream.ids())
        await asyncio.sleep(5 * POLL)  # and nothing more
        for s in (stream, other):
            await s.close()
        return stream.frames

    frames = async_to_sync(scenario)()
    assert [f["data"] for f in frames if f.get("event") == "notify.new"] == [
        '{"n":0}',
        '{"n":1}',
        '{"n":2}',
        '{"n":"during"}',
    ]


def test_streams_opened_while_events_pour_in_miss_none_and_repeat_none(world, monkeypatch):
    """Streams open at random moments while a writer publishes, resuming from random earlier
    ids or from now; batches of 3 make both the poller and the catch-ups read in several steps."""
    monkeypatch.setattr(feed, "BATCH", 3)
    rng = random.Random(8)
    owner = world.owner.id
    for i in range(10):
        publish("notify.new", {"n": f"old{i}"}, users=[owner])
    old_ids = list(OutboxEvent.objects.order_by("id").values_list("id", flat=True))
    done = threading.Event()

    def writer():
        for i in range(120):
            publish("notify.new", {"n": i}, users=[owner] if i % 3 else [world.tenant.id, owner])
            if i % 7 == 0:
                publish("alarm.raised", {"n": i}, community_id=world.b.id)  # someone else's
            time.sleep(0.003)
        publish("end", {}, users=[owner])
        done.set()

    async def scenario():
        client = await signed_in(world.owner)
        pending = asyncio.get_running_loop().run_in_executor(None, writer)
        streams = []
        while not done.is_set() and len(streams) < 10:
            resume = rng.choice([None, *old_ids])
            headers = {} if resume is None else {"Last-Event-ID": str(resume)}
            streams.append(await Stream.open(client, headers))
            await asyncio.sleep(rng.uniform(0, 0.05))
        await pending
        await until(lambda: all(events(s.frames, "end") for s in streams))
        for stream in streams:
            await stream.close()
        return streams

    streams = async_to_sync(scenario)()
    assert len(streams) >= 3
    mine = list(OutboxEvent.objects.filter(user_id=owner).order_by("id").values_list("id", flat=True))
    for stream in streams:
        [ready] = events(stream.frames, "ready")
        assert stream.ids() == [i for i in mine if i > int(ready["id"])]


def test_a_stream_that_does_not_keep_up_gets_what_it_missed_from_the_database(world, monkeypatch):
    monkeypatch.setattr(feed, "BACKLOG", 2)

    async def scenario():
        response = await (await signed_in(world.owner)).get("/events/stream")
        chunks = aiter(response.streaming_content)
        frames = [parse((await anext(chunks)).decode()) for _ in range(3)]  # retry, ready, keep-alive
        await until(lambda: watermark() is not None)
        # The stream is subscribed but not read: what the poller brings piles up for it.
        for i in range(7):
            await sync_to_async(publish)("notify.new", {"n": i}, users=[world.owner.id])
        last = await sync_to_async(latest_event_id)()
        await until(lambda: watermark() >= last)
        [subscription] = feed._feeds[asyncio.get_running_loop()]._listeners[("user", world.owner.id)]
        piled_up = len(subscription.backlog)
        while not any(f.get("id") == str(last) for f in frames):
            frames.append(parse((await asyncio.wait_for(anext(chunks), timeout=5)).decode()))
        await response.streaming_content.aclose()
        return piled_up, frames

    piled_up, frames = async_to_sync(scenario)()
    assert piled_up <= 2
    assert [f["data"] for f in events(frames, "notify.new")] == [f'{{"n":{i}}}' for i in range(7)]


def test_the_poller_survives_a_database_error(world, queries):
    async def scenario():
        stream = await Stream.open(await signed_in(world.owner))
        await until(stream.idle)
        queries.fail_next_outbox_read = True
        await until(lambda: queries.failed)
        await sync_to_async(publish)("notify.new", {"title": "after the error"}, users=[world.owner.id])
        await until(lambda: events(stream.frames, "notify.new") or stream.reader.done())
        await stream.close()
        return stream.frames

    frames = async_to_sync(scenario)()
    assert queries.failed == 1
    assert [f["data"] for f in events(frames, "notify.new")] == ['{"title":"after the error"}']
