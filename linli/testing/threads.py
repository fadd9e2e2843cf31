"""Calls raced against each other, for the concurrency tests."""

import threading
import time
from collections.abc import Callable, Sequence

from django.db import OperationalError, connection


def run_together(fns: Sequence[Callable[[], object]]) -> list:
    """Starts each callable on its own thread, all released at once by a barrier, each closing
    its database connection when done; returns their results, or the exceptions they raised,
    in the order of `fns`."""
    barrier = threading.Barrier(len(fns))
    outcomes: list = [None] * len(fns)

    def run(index: int, fn: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = fn()
        except BaseException as exc:  # handed back to the test, whatever it is
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def waiting_out_locks(fn: Callable[[], object]) -> Callable[[], object]:
    """fn, tried again while the in-memory SQLite test database (shared cache) reports a table
    lock at once instead of waiting like a file database or PostgreSQL: the service rolled back
    whole, so trying again is what a waiting database would do."""

    def call():
        for _attempt in range(200):
            try:
                return fn()
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.005)
        raise TimeoutError("the test database stayed locked for a second")

    return call


def race(fns: Sequence[Callable[[], object]]) -> list:
    """run_together, each call waiting out the test database's locks."""
    return run_together([waiting_out_locks(fn) for fn in fns])
