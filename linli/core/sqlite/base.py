"""Django's SQLite backend with writers queued instead of put to sleep.

SQLite has one writer at a time. A transaction that finds the write lock taken is put to sleep
by SQLite's busy handler in growing steps (1, 2, 5, 10 … 100 ms) and retried, so under load the
lock sits free while the waiters sleep: throughput falls and the slowest writes wait seconds.

Here a transaction first takes the process's writer lock (threads queue on it and each wakes the
moment the one before is done), then an advisory lock on a file beside the database, shared by
the processes (one per core) and polled every 0.2–1 ms. Only then does it BEGIN IMMEDIATE, which
now rarely waits: SQLite's busy handler is left for writes outside a transaction.

A process forked while one of its connections holds the locks (a task worker, a web server
starting its workers) starts with none of them (`_forget_the_parents_locks`). Like any forked
process it must still close the connections it inherited before it writes: SQLite's own lock
table came along with them (`connections.close_all()`).
"""

import fcntl
import os
import threading
import time
import weakref

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_writer = threading.Lock()
# Lock file path → this process's descriptor of it.
_files: dict[str, int] = {}
# The connections holding the locks now (at most one: the process lock is exclusive).
_holders: "weakref.WeakSet[DatabaseWrapper]" = weakref.WeakSet()


def _lock_file(database: str) -> int | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = f"{database}-writer"
    if path not in _files:
        _files[path] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    return _files[path]


def _forget_the_parents_locks() -> None:
    """Run in a forked child, where the locks held at the fork are the parent's. The copy of the
    process lock may be held by a thread the child does not have: the child gets a new lock. An
    flock belongs to the open file, which an inherited descriptor shares with the parent:
    unlocking through it would release the parent's lock, locking through it would not keep the
    two apart. So the child closes those descriptors (closing a copy releases nothing while the
    parent keeps its own) and opens its own at its first write, and a connection that held the
    parent's locks forgets them without releasing anything."""
    global _writer
    _writer = threading.Lock()
    for fd in _files.values():
        os.close(fd)
    _files.clear()
    for holder in list(_holders):
        holder.holds_writer, holder.writer_fd = False, None
    _holders.clear()


os.register_at_fork(after_in_child=_forget_the_parents_locks)


def _take(fd: int, deadline: float) -> bool:
    pause = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.001)


class DatabaseWrapper(base.DatabaseWrapper):
    holds_writer = False
    writer_fd: int | None = None

    def _start_transaction_under_autocommit(self):
        # As long as SQLite's own busy timeout, and the same error after it.
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        deadline = time.monotonic() + timeout
        if not _writer.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self.holds_writer = True
        _holders.add(self)
        try:
            fd = _lock_file(str(self.settings_dict["NAME"]))
            if fd is not None:
                if not _take(fd, deadline):
                    raise OperationalError("database is locked")
                self.writer_fd = fd
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in the stubs
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        if self.writer_fd is not None:
            fcntl.flock(self.writer_fd, fcntl.LOCK_UN)
            self.writer_fd = None
        if self.holds_writer:
            self.holds_writer = False
            _holders.discard(self)
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()  # type: ignore[misc]  # private in the stubs
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]  # private in the stubs
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()  # type: ignore[misc]  # private in the stubs
        finally:
            self._release_writer()
