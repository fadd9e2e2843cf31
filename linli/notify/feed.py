"""The event stream's shared poller: one reader of the outbox per server process (per event loop;
a server process runs one) that fans each new row out in memory to the open streams it is for.

An idle stream costs no query. The poller reads the rows after its watermark once per
LINLI_SSE_POLL_SECONDS (at once again after a full batch, and on PostgreSQL at once when an event
commits: linli/notify/wakeup.py), whatever the number of open streams, and only while one is open.

Rows go out in id order, and the watermark never passes an id that may still commit. On
PostgreSQL an id is handed out when the row is inserted, not when its transaction commits, so a
read may see id 12 while 11 is still in an open transaction (a hole). The poller then stops
before the hole and reads again (woken by the commit, or at the next interval) until the hole
fills or its ids were handed out more than LINLI_SSE_GAP_GRACE_SECONDS ago: a rolled-back
transaction leaves a hole for good, and after the grace period the poller skips it. Which ids
are that old needs no extra query: every id below one the poller saw committed at some time was
handed out before that time. SQLite gives ids in commit order (one writer at a time), so a hole
there never fills and is skipped at once.

A stream first catches up on its own, from its resume point up to the watermark the poller had
when the stream subscribed; every row after that watermark reaches it through the feed.
Subscribing takes the watermark in the same step of the event loop, and the poller moves its
watermark in the same step as it fans the rows out, so no row falls between the two or reaches a
stream twice.
"""

import asyncio
import contextvars
import logging
import weakref
from collections import deque

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection

from linli.notify import queries, wakeup
from linli.notify.audience import Address, Audience, address

BATCH = 200  # rows per read, the poller's and a catch-up's
BACKLOG = 1000  # events waiting for one stream; a stream that falls further behind re-reads them

Event = tuple[int, str, object]  # (id, topic, payload)

logger = logging.getLogger(__name__)


def _in_thread(read):
    """A database read on the event loop's thread pool, never on the loop itself. Not
    thread-sensitive: the poller and the catch-ups share a few threads and their connections
    instead of holding one per stream."""

    def guarded(*args):
        try:
            return read(*args)
        except DatabaseError:
            connection.close()  # broken: the next read on this thread opens a new connection
            raise

    return sync_to_async(guarded, thread_sensitive=False)


_latest_event_id = _in_thread(queries.latest_event_id)
_outbox_after = _in_thread(queries.outbox_after)
_stream_events = _in_thread(queries.stream_events)


class Subscription:
    """One stream's place in the feed: what it has sent, and the events waiting for it."""

    __slots__ = ("_feed", "_waiter", "audience", "backlog", "read_upto", "sent", "since")

    def __init__(self, feed: "Feed", audience: Audience, after: int):
        self._feed = feed
        self.audience = audience
        self.sent = after  # the last event id sent; every event of the audience up to it is sent
        self.since: int | None = feed.watermark  # the feed brings every event after this id
        self.read_upto = after  # the stream's own reads have covered the database up to this id
        self.backlog: list[Event] = []
        self._waiter: asyncio.Future | None = None

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc) -> None:
        self._feed.unsubscribe(self)

    async def next(self, timeout: float) -> list[Event]:
        """The stream's next events, oldest first: from the database until it has caught up with
        the feed, then from the feed; [] when `timeout` seconds pass without any."""
        deadline = asyncio.get_running_loop().time() + timeout
        if self.since is None:  # the poller's first read is under way
            await self._wait(deadline)
        while self.since is not None and (start := max(self.read_upto, self.sent)) < self.since:
            upto = self.since
            rows = await _stream_events(self.audience, start, upto, BATCH)
            self.read_upto = rows[-1][0] if len(rows) == BATCH else upto
            if rows:
                self.sent = rows[-1][0]
                return rows
        if not self.backlog:
            await self._wait(deadline)
        # After a catch-up that began past the feed's watermark (a resume point newer than it),
        # the first events of the feed may be sent already.
        events = [event for event in self.backlog if event[0] > self.sent]
        self.backlog = []
        if events:
            self.sent = events[-1][0]
        return events

    def start(self, watermark: int) -> None:
        self.since = watermark
        self._wake()

    def push(self, event: Event) -> None:
        if len(self.backlog) < BACKLOG:
            self.backlog.append(event)
        else:  # a reader that does not keep up: what it missed is read again from the database
            self.backlog = []
            self.since = event[0]
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        timeout = deadline - loop.time()
        if timeout <= 0:
            return
        self._waiter = loop.create_future()
        try:
            await asyncio.wait_for(self._waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiter = None


class Feed:
    """The poller of one event loop and the subscriptions of its open streams, by address."""

    def __init__(self) -> None:
        self.watermark: int | None = None  # every row up to this id has been fanned out or given up
        self._listeners: dict[Address, set[Subscription]] = {}
        self._open = 0
        self._task: asyncio.Task | None = None
        self._woken = asyncio.Event()
        self._holes_wait = connection.vendor != "sqlite"
        # (loop time, the highest id seen committed then), oldest first: ids up to it were
        # handed out by then. `_settled`: every id up to it was handed out a grace period ago.
        self._seen: deque[tuple[float, int]] = deque()
        self._settled = 0

    def subscribe(self, audience: Audience, after: int) -> Subscription:
        subscription = Subscription(self, audience, after)
        for key in audience.addresses():
            self._listeners.setdefault(key, set()).add(subscription)
        self._open += 1
        if self._task is None:
            # In a context of its own: the poller outlives the request that happened to start it.
            self._task = asyncio.get_running_loop().create_task(self._poll(), context=contextvars.Context())
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        for key in subscription.audience.addresses():
            listeners = self._listeners[key]
            listeners.discard(subscription)
            if not listeners:
                del self._listeners[key]
        self._open -= 1

    async def _poll(self) -> None:
        listener: asyncio.Task | None = None
        stop_listening = asyncio.Event()
        try:
            while self._open:  # with no stream open the poller ends, without another query
                self._woken.clear()  # before the read: a commit during it wakes the next one
                try:
                    more = await self._read()
                except DatabaseError:
                    logger.warning(
                        "event stream: reading the outbox failed; next try in one interval", exc_info=True
                    )
                    more = False
                if listener is None and wakeup.available():
                    # After the first read, which the first streams wait for.
                    listener = asyncio.get_running_loop().create_task(
                        wakeup.listen(self._woken.set, stop_listening)
                    )
                if not more:
                    try:
                        await asyncio.wait_for(self._woken.wait(), settings.LINLI_SSE_POLL_SECONDS)
                    except TimeoutError:
                        pass
        finally:
            stop_listening.set()
            self._task = None
            self.watermark = None  # a poller started later begins from the newest row again
            self._seen.clear()

    async def _read(self) -> bool:
        """One read of the outbox; True when it brought a full batch and fanned it all out (read
        again at once)."""
        if self.watermark is None:
            watermark = await _latest_event_id()
            self.watermark = self._settled = watermark
            for listeners in self._listeners.values():
                for subscription in listeners:
                    if subscription.since is None:
                        subscription.start(watermark)
            return False
        rows = await _outbox_after(self.watermark, BATCH)
        ready = self._in_order(rows)
        for row in ready:
            event = (row["id"], row["topic"], row["payload"])
            for subscription in self._listeners.get(address(row), ()):
                subscription.push(event)
        if ready:
            self.watermark = ready[-1]["id"]
        return len(rows) == BATCH and len(ready) == len(rows)

    def _in_order(self, rows: list[dict]) -> list[dict]:
        """The rows that may go out now: those before the first hole that may still fill."""
        if not self._holes_wait or not rows:
            return rows
        now = asyncio.get_running_loop().time()
        if not self._seen or self._seen[-1][1] < rows[-1]["id"]:  # the earliest sighting counts
            self._seen.append((now, rows[-1]["id"]))
        while self._seen and self._seen[0][0] <= now - settings.LINLI_SSE_GAP_GRACE_SECONDS:
            self._settled = max(self._settled, self._seen.popleft()[1])
        expected = self.watermark + 1 if self.watermark is not None else rows[0]["id"]
        for count, row in enumerate(rows):
            if row["id"] != expected and row["id"] - 1 > self._settled:
                return rows[:count]  # ids expected .. row's - 1 are young: they may still commit
            expected = row["id"] + 1
        return rows


_feeds: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Feed]" = weakref.WeakKeyDictionary()


def subscribe(audience: Audience, after: int) -> Subscription:
    """A stream's subscription to the feed of the running event loop, starting its poller if none
    runs. Use it as a context manager: leaving it unsubscribes."""
    loop = asyncio.get_running_loop()
    feed = _feeds.get(loop)
    if feed is None:
        feed = _feeds[loop] = Feed()
    return feed.subscribe(audience, after)
