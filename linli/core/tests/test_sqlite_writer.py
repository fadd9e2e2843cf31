"""SQLite's writers queue on the process lock and the file lock, and never leak them."""

import fcntl
import os
import threading
import time

import pytest
from django.db import DatabaseError, OperationalError, connection, connections, transaction

from linli.core.models import Community
from linli.core.sqlite import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's own lock"),
]


def write_in_thread(results: list, *, timeout: float | None = None, code: str = "t"):
    def run():
        if timeout is not None:
            # This thread's connection only: the settings dict is shared by every connection
            # of the process, and the next tests' would inherit the short timeout.
            db = connections["default"]
            db.settings_dict = {
                **db.settings_dict,
                "OPTIONS": {**db.settings_dict["OPTIONS"], "timeout": timeout},
            }
        try:
            with transaction.atomic():
                Community.objects.create(name="线程", code=code)
            results.append("ok")
        except OperationalError as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def locks_held() -> tuple[bool, bool]:
    """(the process's writer lock, the file lock another process would wait on)."""
    fd = os.open(f"{connection.settings_dict['NAME']}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        file_held = False
    except BlockingIOError:
        file_held = True
    finally:
        os.close(fd)  # closing the descriptor drops a lock taken through it
    return base._writer.locked(), file_held


def test_a_transaction_holds_both_locks_until_it_commits():
    assert locks_held() == (False, False)
    with transaction.atomic():
        Community.objects.create(name="写", code="w")
        assert locks_held() == (True, True)
    assert locks_held() == (False, False)


def test_the_locks_are_released_when_the_connection_closes_inside_a_transaction():
    with pytest.raises(DatabaseError), transaction.atomic():
        Community.objects.create(name="关闭", code="c")
        connection.close()
        assert locks_held() == (False, False)
        Community.objects.create(name="关闭后", code="c2")  # the closed connection refuses
    assert locks_held() == (False, False)


def test_a_second_writer_waits_for_the_first_and_then_writes():
    results: list = []
    with transaction.atomic():
        Community.objects.create(name="主线程", code="main")
        waiting = write_in_thread(results)
        waiting.join(0.3)
        assert waiting.is_alive() and not results  # queued behind the open transaction
    waiting.join(10)
    assert results == ["ok"]
    assert Community.objects.filter(code__in=["main", "t"]).count() == 2


def test_a_writer_that_waits_too_long_gets_database_is_locked():
    results: list = []
    with transaction.atomic():
        write_in_thread(results, timeout=0.2).join(10)
    assert results == ["database is locked"]


def test_the_locks_are_released_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        Community.objects.create(name="回滚", code="rb")
        raise RuntimeError("abandon the transaction")
    results: list = []
    write_in_thread(results, timeout=1).join(10)
    assert results == ["ok"]


def fork(child) -> int:
    """Runs `child()` in a forked process, which exits with 0 if it returns True, else 1."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if child() else 1
        finally:
            os._exit(code)  # never the parent's pytest teardown
    return pid


def exit_code(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_forked_child_drops_the_parents_locks_then_waits_for_them_and_writes_on_its_own():
    dropped_r, dropped_w = os.pipe()  # child → parent: "I dropped what I inherited"
    go_r, go_w = os.pipe()  # parent → child: "the parent has looked, write now"

    def child():
        os.close(dropped_r)
        os.close(go_w)
        if base._writer.locked():  # the parent's hold on the process lock came along
            return False
        # A forked worker drops the connection it inherited (SQLite's own lock table came along
        # with it), which must leave the parent's file lock alone.
        connection.close()
        os.write(dropped_w, b"1")
        if os.read(go_r, 1) != b"1":
            return False
        results: list = []
        write_in_thread(results, timeout=5, code="child").join(10)  # its own connection
        return results == ["ok"]

    try:
        with transaction.atomic():
            Community.objects.create(name="父进程", code="parent")
            pid = fork(child)
            os.close(dropped_w)
            os.close(go_r)
            assert os.read(dropped_r, 1) == b"1"
            assert locks_held() == (True, True)  # the child released nothing of the parent's
            os.write(go_w, b"1")
            time.sleep(0.3)
            assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # the child waits for this transaction
            Community.objects.create(name="父进程仍在写", code="parent2")
    finally:
        os.close(go_w)  # a child still waiting for the word reads the end instead
        os.close(dropped_r)
    assert exit_code(pid) == 0
    assert Community.objects.filter(code__in=["parent", "parent2", "child"]).count() == 3
