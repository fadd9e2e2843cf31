"""The MQTT ingest worker (`linli ingest`): an asyncio loop outside Django's request stack.

The loop only parses, authenticates, validates and evaluates (in memory, `Ingest.handle`); one
database thread writes the batches, loads devices the loop has not met, publishes what commands
are due and reports the worker's counters. Several workers share the load through an MQTT 5
shared subscription (`$share/linli-ingest/...`); see docs/devices.md on keeping one device on
one worker.
"""

import asyncio
import logging
import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from gmqtt import Client, Subscription

from linli.iot.ingest import store
from linli.iot.ingest.fleet import Fleet
from linli.iot.ingest.pipeline import Ingest
from linli.iot.services import commands, workers

log = logging.getLogger(__name__)
CHANNELS = ("telemetry", "event", "status")
GROUP = "linli-ingest"
FLUSH_S = 0.1
TICK_S = 1.0
STATUS_S = 5.0
# Between attempts to reach a broker that went away (gmqtt's default is 6 s): messages devices
# publish before the workers are subscribed again are dropped by the broker (docs/devices.md).
RECONNECT_S = 2
# While the database is unreachable: how often the held batch is tried again, and how many
# readings wait in memory before their history is let go (alarms and states never are).
DATABASE_DOWN = (OperationalError, InterfaceError)
DATABASE_RETRY_S = 1.0
MAX_WAITING_READINGS = 200_000


def filters(shared: bool) -> list[str]:
    prefix = f"$share/{GROUP}/" if shared else ""
    return [f"{prefix}linli/+/+/{channel}" for channel in CHANNELS]


class Worker:
    def __init__(self, url: str, *, name: str | None = None, shared: bool = True, on_flush=None):
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 1883
        self.username, self.password = parsed.username, parsed.password
        self.name = name or f"ingest-{socket.gethostname()}-{os.getpid()}"
        self.shared = shared
        self.ingest = Ingest(Fleet(load_on_miss=False))
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linli-ingest-db")
        self.client = Client(self.name, clean_session=True)
        self.client.reconnect_delay = RECONNECT_S
        self.client.on_message = self._message
        self.on_flush = on_flush  # tests and the benchmark watch the alarm events
        self.started_at = timezone.now()
        self.connected = asyncio.Event()
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.unwritten: store.Prepared | None = None  # the batch the database did not take yet
        self.database_down = False
        self.retry_at = 0.0

    def _connected(self, client, session_present, result, properties) -> None:
        """Each connection, the reconnections gmqtt makes by itself included. gmqtt does not
        renew the subscriptions on a reconnection, and the broker has none of ours after it
        restarted or once our session ended with the connection (clean start, no session
        expiry): without this a worker would stay connected and hear nothing. On the first
        connection there is nothing to renew yet: `run` subscribes."""
        for subscription in client.subscriptions:
            client.resubscribe(subscription)
        if client.subscriptions:
            log.info("iot ingest %s: connected to the broker again, subscribing", self.name)
        self.connected.set()

    def _disconnected(self, client, packet, exc=None) -> None:
        """On a stop too; otherwise gmqtt tries again every RECONNECT_S until the broker is back."""
        self.connected.clear()
        for subscription in client.subscriptions:
            subscription.acknowledged = False  # until this broker's SUBACK says so again
        log.warning("iot ingest %s: disconnected from the broker", self.name)

    def _message(self, client, topic: str, payload: bytes, qos, properties) -> int:
        parts = topic.split("/")
        if len(parts) == 4 and parts[0] == "linli":
            self.ingest.handle(parts[1], parts[2], parts[3], payload)
        else:
            self.ingest.counters["malformed"] += 1
        return 0

    async def _db(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    # --- in the database thread ------------------------------------------------------------------
    def _write(self, prepared) -> tuple[list, list]:
        close_old_connections()
        changed = store.commit(prepared)
        self.unwritten = None  # committed: never written twice, whatever fails after
        self.ingest.fleet.adopt_wanted(time.time())
        self.ingest.fleet.refresh(time.time())
        return changed, commands.claim_due(timezone.now())

    def _report(self) -> None:
        workers.report(self.name, self.started_at, dict(self.ingest.counters))

    async def _report_status(self) -> None:
        try:
            await self._db(self._report)
        except DATABASE_DOWN:
            pass  # the next flush finds the outage and says so; the status can wait

    def _start(self) -> int:
        self.ingest.fleet.load_rules()
        count = self.ingest.fleet.preload()
        self.ingest.fleet.refreshed_at = time.time()
        return count

    # --- the loop --------------------------------------------------------------------------------
    async def flush(self) -> list:
        """Writes the batch. While the database is unreachable (restarting, a cut network) the
        worker keeps listening: the batch that failed is held and tried again every
        DATABASE_RETRY_S, new messages wait in memory behind it, in order."""
        if self.database_down and time.monotonic() < self.retry_at:
            self._bound_waiting_readings()
            return []
        if self.unwritten is None:
            self.unwritten = self.ingest.prepare()
        try:
            changed, due = await self._db(self._write, self.unwritten)
        except DATABASE_DOWN:
            if not self.database_down:
                log.error(
                    "iot ingest %s: the database is unreachable; holding messages", self.name, exc_info=True
                )
            self.database_down, self.retry_at = True, time.monotonic() + DATABASE_RETRY_S
            return []
        if self.database_down:
            log.warning("iot ingest %s: the database is back; writing what waited", self.name)
            self.database_down = False
        for topic, payload in due:
            self.client.publish(topic, payload, qos=1)
        self.ingest.replay_parked()
        if self.on_flush and changed:
            self.on_flush(changed)
        return changed

    def _bound_waiting_readings(self) -> None:
        """A long outage must not take all memory: past MAX_WAITING_READINGS every reading
        waiting is dropped and counted (the history, not the state); alarms and device states stay."""
        waiting = self.ingest.batch.readings
        if len(waiting) > MAX_WAITING_READINGS:
            self.ingest.counters["dropped_database_down"] += len(waiting)
            log.error("iot ingest %s: dropped %s readings waiting for the database", self.name, len(waiting))
            waiting.clear()

    async def run(self, stop: asyncio.Event) -> None:
        count = await self._db(self._start)
        log.info(
            "iot ingest %s: %s devices loaded, connecting to %s:%s", self.name, count, self.host, self.port
        )
        if self.username:
            self.client.set_auth_credentials(self.username, self.password)
        await self.client.connect(self.host, self.port)
        self.client.subscribe([Subscription(f, qos=0) for f in filters(self.shared)])
        last_tick = last_status = 0.0
        try:
            while not stop.is_set():
                await asyncio.sleep(FLUSH_S)
                now = time.time()
                if now - last_tick >= TICK_S:
                    self.ingest.tick()
                    last_tick = now
                await self.flush()
                if now - last_status >= STATUS_S and not self.database_down:
                    await self._report_status()
                    last_status = now
        finally:
            await self.client.disconnect()
            self.ingest.checkpoint_at = 0.0  # a clean stop writes every rule state
            self.retry_at = 0.0  # one last try, even during an outage
            await self.flush()
            if self.database_down:
                log.error("iot ingest %s: stopped with messages the database did not take", self.name)
            else:
                await self._report_status()
            await self._db(_close_connection)
            self.db.shutdown()


def _close_connection() -> None:
    connection.close()  # the database thread's own (connections are per thread)


def serve(url: str, *, name: str | None = None, shared: bool = True) -> None:
    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await Worker(url, name=name, shared=shared).run(stop)

    asyncio.run(main())
