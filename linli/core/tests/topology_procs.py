"""What the topology test (test_topology.py) runs in its own worker and scheduler processes: a task
and two periodic jobs that leave a line per start and per end, with their process id, in files
under LINLI_TOPOLOGY_DIR.

`python -m linli.core.tests.topology_procs scheduler …` is `linli scheduler …` with the two test
jobs registered: they exist in that process only, so no other test's scheduler pass runs them.
The task needs no such step: a worker imports a task's module by its path.
"""

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from django_tasks import task

ONCE_JOB = "tests.topology.once"
SLOW_JOB = "tests.topology.slow"
SLOW_JOB_LEASE = timedelta(seconds=8)
STALLS_SECONDS = 600  # the first run of a slow task or job: until the test kills its process


def mark(name: str) -> None:
    with open(Path(os.environ["LINLI_TOPOLOGY_DIR"]) / name, "a") as file:
        file.write(f"{os.getpid()}\n")


def marks(directory: Path, name: str) -> list[int]:
    """The process ids that left a line in `name`, in order."""
    path = directory / name
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _first_start(name: str) -> bool:
    started = Path(os.environ["LINLI_TOPOLOGY_DIR"]) / f"{name}.started"
    first = not started.exists()
    mark(f"{name}.started")
    return first


@task()
def record_run(key: str, stall: bool = False) -> None:
    """With `stall`, the first run hangs (the test kills its worker); a run after that finishes."""
    if _first_start(f"task-{key}") and stall:
        time.sleep(STALLS_SECONDS)
    mark(f"task-{key}.done")


def once_job(now: datetime) -> None:
    mark("job-once.done")


def slow_job(now: datetime) -> None:
    """The first run hangs until the test kills its scheduler; the next finishes."""
    if _first_start("job-slow"):
        time.sleep(STALLS_SECONDS)
    mark("job-slow.done")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from linli.core.periodic import periodic

    periodic(every=timedelta(hours=1), name=ONCE_JOB)(once_job)
    periodic(every=timedelta(hours=1), name=SLOW_JOB, lease=SLOW_JOB_LEASE)(slow_job)
    execute_from_command_line(["linli", *sys.argv[1:]])


if __name__ == "__main__":
    main()
