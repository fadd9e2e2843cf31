"""On PostgreSQL, what wakes the feed's poller as soon as an event commits: a LISTEN on the
channel that `linli.core.events.publish` notifies, on a connection of its own (asynchronous, on
the event loop: it costs no thread). A notification is only a hint to read the outbox now; the
poller still reads once per interval, so a notification lost with its connection loses no event,
only the wake-up. A lost connection is opened again after RECONNECT_SECONDS.
"""

import asyncio
import logging
from collections.abc import Callable

import psycopg
from django.db import connection

from linli.core.events import OUTBOX_CHANNEL

RECONNECT_SECONDS = 2.0
STOP_SECONDS = 1.0
APPLICATION_NAME = "linli-event-listener"  # how an operator tells it apart in pg_stat_activity

logger = logging.getLogger(__name__)


def available() -> bool:
    return connection.vendor == "postgresql"


def _connection_params() -> dict:
    """The database settings' own connection parameters, for an asynchronous connection: without
    Django's cursor class and type adapters (they are the synchronous connection's), with TCP
    keepalives so that a dead server is noticed even while nothing is notified."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.update(application_name=APPLICATION_NAME, autocommit=True)
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 30)
    params.setdefault("keepalives_interval", 10)
    params.setdefault("keepalives_count", 3)
    return params


async def listen(wake: Callable[[], None], stop: asyncio.Event) -> None:
    """Calls `wake()` on each notification, and once each time it starts listening (what
    committed while it was not), until `stop` is set (noticed within STOP_SECONDS: a wait that
    ends by itself, not a cancelled query, which would cost the connection)."""
    params = _connection_params()
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(**params) as conn:
                await conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
                wake()
                while not stop.is_set():
                    async for _notification in conn.notifies(timeout=STOP_SECONDS):
                        wake()
            return
        except (psycopg.Error, OSError):
            logger.warning(
                "event stream: listening for new events failed; polling meanwhile, listening again in %ss",
                RECONNECT_SECONDS,
                exc_info=True,
            )
        try:
            await asyncio.wait_for(stop.wait(), RECONNECT_SECONDS)
        except TimeoutError:
            pass
