"""Calls raced against each other, for the concurrency tests."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection


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
