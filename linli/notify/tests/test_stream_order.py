"""On PostgreSQL an outbox id is handed out at insert, not at commit: a transaction that published
earlier may commit after one that published later. Streams still get every event in id order,
none skipped: the reader waits at the hole until it fills, and goes on after the grace period
when it never will (a rollback). And a commit wakes the reader at once (LISTEN/NOTIFY), even
when the lost listening connection had to be opened again.

Two real connections: the test's, and a thread's that holds its transaction open."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection, transaction

from linli.core.events import publish
from linli.notify import wakeup
from linli.notify.queries import latest_event_id
from linli.notify.tests.test_stream_feed import Queries, Stream, outbox_read, signed_in, until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite has one writer at a time: ids come in commit order"
    ),
]


@pytest.fixture(autouse=True)
def quick_polls(settings):
    settings.LINLI_SSE_POLL_SECONDS = 0.05
    settings.LINLI_SSE_HEARTBEAT_SECONDS = 0.05
    settings.LINLI_SSE_MAX_SECONDS = 60


@pytest.fixture(autouse=True)
def an_earlier_event(world):
    """The reader starts from the newest row. Without one, the ids of the rows the previous
    tests left (deleted, not handed out again) would be a hole before the first new event, and
    it would wait for them for the whole grace period."""
    publish("notify.new", {"n": "earlier"}, users=[world.tenant.id])


@pytest.fixture
def reads(monkeypatch):
    """Counts the reader's reads of the outbox, on whatever thread they run."""
    from django.db.backends import utils as db_utils

    recorder = Queries()
    monkeypatch.setattr(db_utils.CursorWrapper, "execute", recorder.wrap(db_utils.CursorWrapper.execute))
    return lambda: sum(1 for sql in recorder.sql if outbox_read(sql))


class OpenTransaction(threading.Thread):
    """Publishes to `user_id` in a transaction of its own connection, then holds it open until
    told to commit or roll back."""

    def __init__(self, user_id: int):
        super().__init__()
        self.user_id = user_id
        self.published = threading.Event()
        self.finish = threading.Event()
        self.commit = True
        self.event_id: int | None = None

    def run(self):
        try:
            with transaction.atomic():
                publish("notify.new", {"n": "slow"}, users=[self.user_id])
                self.event_id = latest_event_id()  # this connection sees its own row
                self.published.set()
                self.finish.wait(30)
                if not self.commit:
                    transaction.set_rollback(True)
        finally:
            self.published.set()
            connection.close()

    def end(self, *, commit: bool) -> None:
        self.commit = commit
        self.finish.set()
        self.join(30)


def slow_then_fast(world, reads, *, commit: bool):
    """A slow transaction publishes first and a fast one after it commits; the slow one is held
    until the reader has read past the fast event several times, then committed or rolled back.
    Returns (the slow event's id, the fast one's, the ids the stream sent before the slow
    transaction ended, the ids it sent in all)."""
    slow = OpenTransaction(world.owner.id)

    async def scenario():
        stream = await Stream.open(await signed_in(world.owner))
        await until(stream.idle)
        slow.start()
        await sync_to_async(slow.published.wait)(30)
        await sync_to_async(publish)("notify.new", {"n": "fast"}, users=[world.owner.id])
        fast_id = await sync_to_async(latest_event_id)()
        seen = reads()
        await until(lambda: reads() >= seen + 5)  # the reader has seen the fast event 5 times over
        before_end = stream.ids()
        await sync_to_async(slow.end)(commit=commit)
        await until(lambda: fast_id in stream.ids(), timeout=30)
        await stream.close()
        return fast_id, before_end, stream.ids()

    try:
        fast_id, before_end, sent = async_to_sync(scenario)()
    finally:
        slow.end(commit=False)
    return slow.event_id, fast_id, before_end, sent


def test_a_transaction_that_commits_late_still_reaches_the_stream_in_id_order(world, reads, settings):
    settings.LINLI_SSE_GAP_GRACE_SECONDS = 60  # far longer than the test holds the transaction

    slow_id, fast_id, before_end, sent = slow_then_fast(world, reads, commit=True)
    assert slow_id < fast_id  # the slow transaction's id was handed out first
    assert before_end == []  # the fast event waited behind the open hole
    assert sent == [slow_id, fast_id]


def test_a_rolled_back_transactions_hole_is_skipped_after_the_grace_period(world, reads, settings):
    settings.LINLI_SSE_GAP_GRACE_SECONDS = 1

    slow_id, fast_id, _before_end, sent = slow_then_fast(world, reads, commit=False)
    assert slow_id < fast_id
    assert sent == [fast_id]


def listener_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            [wakeup.APPLICATION_NAME],
        )
        return [pid for (pid,) in cursor.fetchall()]


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


async def listener_other_than(pid: int | None, timeout=10.0) -> int:
    """The pid of the listening connection once it is one other than `pid`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [p for p in await sync_to_async(listener_pids)() if p != pid]
        if found:
            return found[0]
        assert asyncio.get_running_loop().time() < deadline, "no listener"
        await asyncio.sleep(0.05)


def test_a_commit_wakes_the_reader_before_its_next_poll_even_after_the_listener_lost_its_connection(
    world, settings, monkeypatch
):
    settings.LINLI_SSE_POLL_SECONDS = 3600  # only a notification can bring an event in this test
    monkeypatch.setattr(wakeup, "RECONNECT_SECONDS", 0.1)

    async def scenario():
        stream = await Stream.open(await signed_in(world.owner))
        first = await listener_other_than(None)
        await sync_to_async(publish)("notify.new", {"n": 1}, users=[world.owner.id])
        await until(lambda: len(stream.ids()) == 1)

        await sync_to_async(terminate)(first)
        await listener_other_than(first)
        await sync_to_async(publish)("notify.new", {"n": 2}, users=[world.owner.id])
        await until(lambda: len(stream.ids()) == 2)
        await stream.close()
        return stream.ids()

    sent = async_to_sync(scenario)()
    assert sent == sorted(sent)
