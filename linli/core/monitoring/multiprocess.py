"""Metrics that add up across processes: prometheus_client's multiprocess mode.

Every process of an installation (each web worker, the ingest worker) writes its counters and
histograms into files of its own in one directory of the var dir, and a scrape of any web
process sums them all. settings.py names the directory (PROMETHEUS_MULTIPROC_DIR) before
anything imports prometheus_client, which picks its mode once, at import.

A dead process's files must not simply be deleted: the sum would drop and Prometheus would read
the drop as a reset, counting the whole remaining total again as new. So each process, when it
first loads the metrics, folds the files of processes that are gone into one archive file per
kind (`counter_archive.db`, `histogram_archive.db`), under a lock: the totals stay monotonic and
the directory holds one file per live process plus the archive.
"""

import fcntl
import os
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict

ARCHIVED_KINDS = ("counter", "histogram")
ARCHIVE_PID = "archive"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def _dead_files(directory: Path) -> list[tuple[str, Path]]:
    """(kind, file) of processes that have exited; gauges' files included (dropped, not kept)."""
    out = []
    for path in directory.glob("*.db"):
        kind, _sep, rest = path.stem.partition("_")
        pid = rest.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            out.append((kind, path))
    return out


def fold_dead_processes(directory: Path) -> int:
    """Adds the counts of exited processes into the archive files and removes their files;
    returns how many files were folded."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        dead = _dead_files(directory)
        for kind, path in dead:
            if kind in ARCHIVED_KINDS:
                archive = MmapedDict(str(directory / f"{kind}_{ARCHIVE_PID}.db"))
                try:
                    for key, value, timestamp, _pos in MmapedDict.read_all_values_from_file(str(path)):
                        archive.write_value(key, archive.read_value(key)[0] + value, timestamp)
                finally:
                    archive.close()
            path.unlink()
    return len(dead)
