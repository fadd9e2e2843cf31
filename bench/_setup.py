"""Shared benchmark plumbing: a throwaway SQLite database, Django set up and migrated, timing
helpers, and the output format (one JSON line per figure on stdout, logs on stderr).

    from _setup import emit, log, percentiles, setup_django, timed
    setup_django("registry")  # before importing anything that touches models
"""

import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup_django(
    bench: str, *, keep: bool = False, database_url: str | None = None, tasks: str | None = "immediate"
) -> Path:
    """A fresh LINLI_VAR_DIR (database, keys) under /tmp, removed at exit unless `keep`.
    `database_url` replaces the SQLite file in it (the caller owns that database's clean-up);
    `tasks=None` keeps linli's own task backend (tasks wait in the database for a worker)."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"linli-bench-{bench}-"))
    os.environ["LINLI_VAR_DIR"] = str(var_dir)
    # SQLite in the temp dir unless told otherwise: a DATABASE_URL from the caller's shell must
    # never be touched by accident.
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings"
    if tasks:
        os.environ["LINLI_TASKS_BACKEND"] = tasks
    else:
        os.environ.pop("LINLI_TASKS_BACKEND", None)
    os.environ.setdefault("LINLI_LOG_LEVEL", "ERROR")  # 404s of outsider probes are not news
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if keep:
        log(f"keeping {var_dir}")
    else:
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return var_dir


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(bench: str, metric: str, value: float, unit: str, n: int | None = None, **extra) -> None:
    row = {"bench": bench, "metric": metric, "value": round(value, 3), "unit": unit, "n": n, **extra}
    print(json.dumps(row, ensure_ascii=False), flush=True)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 by linear interpolation between the closest ranks."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def time_calls(call: Callable[[int], object], samples: int, warmup: int = 10) -> list[float]:
    """Milliseconds per call; call(i) gets the sample number so it can vary its input."""
    for i in range(warmup):
        call(i)
    times = []
    for i in range(samples):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


@contextmanager
def timed():
    """with timed() as t: ...; then t() is the elapsed seconds."""
    start = time.perf_counter()
    end = None

    def elapsed() -> float:
        return (end or time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end = time.perf_counter()


def children(pid: int) -> list[int]:
    """The live child processes of pid (a server's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
