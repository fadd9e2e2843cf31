"""`linli serve` as an operator runs it: a real process tree, real signals, real HTTP.

The served instance gets its own var/ (SQLite, keys) so it never touches the test database.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from linli.testing.legs import sqlite_leg_only

WAIT_SECONDS = 30
# The served instance runs on its own SQLite whatever the leg's DATABASE_URL.
pytestmark = sqlite_leg_only("`linli serve` runs on the embedded default in both legs")


def linli_env(var_dir: Path) -> dict[str, str]:
    """The environment of a separate linli installation living in var_dir, on the embedded default."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LINLI_TASKS_BACKEND"}}
    env.update(LINLI_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="linli.settings")
    return env


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """A migrated var/ shared by the tests of one module (migrating takes a second or two)."""
    path = tmp_path_factory.mktemp("var")
    subprocess.run(
        [sys.executable, "-m", "linli", "migrate", "--noinput", "-v0"],
        env=linli_env(path),
        check=True,
        capture_output=True,
        timeout=300,  # a fresh database's migrations, on a CI machine that may be busy
    )
    return path


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    pytest.fail(f"gave up after {WAIT_SECONDS}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "(comm)", which may contain spaces


def alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def children_of(pid: int) -> dict[int, str]:
    """Live child processes of pid, with their command lines."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and fields[0] != "Z" and int(fields[1]) == pid:
            try:
                children[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue  # exited while we looked
    return children


def wait_for_parts(serve: subprocess.Popen, what: str, accept) -> dict[str, int]:
    """Waits until serve's children, keyed web/worker/scheduler, satisfy accept."""
    markers = {"granian": "web", "db_worker": "worker", "scheduler": "scheduler"}

    def parts():
        children = children_of(serve.pid)
        found = {role: pid for pid, cmd in children.items() for mark, role in markers.items() if mark in cmd}
        return found if accept(found) else None

    return wait_for(parts, what)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as response:
            return json.load(response)["status"] == "ok"
    except OSError:
        return False


def answer(port: int, method: str, path: str, headers: dict | None = None) -> tuple[int, str]:
    """(status, error code) of a request whose body, if announced, is never sent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}").get("code", "")
    finally:
        conn.close()


def hung_up_on_slow_headers(port: int) -> bool:
    """A client that starts its headers and never finishes them is let go after the header
    timeout (1 s in the test), instead of holding its connection for good."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        try:
            while sock.recv(4096):  # a 408, if the server sends one, then the end of the stream
                pass
        except ConnectionResetError:
            pass
        return time.monotonic() - started < 5


@contextmanager
def serving(var_dir: Path, log_path: Path, **env):
    """Starts `linli serve` in its own process group, as a shell starts a foreground job."""
    port = free_port()
    with open(log_path, "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "linli", "serve", "--port", str(port)],
            env={**linli_env(var_dir), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        wait_for(lambda: healthy(port), "/api/v1/health to answer")
        yield serve, port
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(timeout=WAIT_SECONDS)


def test_it_serves_then_stops_every_part_on_ctrl_c(var_dir, tmp_path):
    log_path = tmp_path / "serve.log"
    with serving(var_dir, log_path, LINLI_HEADER_TIMEOUT_SECONDS="1") as (serve, port):
        parts = wait_for_parts(serve, "web, worker and scheduler to start", lambda found: len(found) == 3)
        wait_for(lambda: f"http://127.0.0.1:{port}" in log_path.read_text(), "the banner with the URL")
        assert answer(port, "GET", "/events/stream")[0] == 401  # the async view, through Django's ASGI
        huge = {"Content-Type": "application/json", "Content-Length": str(10**9)}
        assert answer(port, "POST", "/api/v1/me", huge) == (413, "request_too_large")
        assert hung_up_on_slow_headers(port) and healthy(port)

        os.killpg(serve.pid, signal.SIGINT)  # what the terminal sends to the foreground job on Ctrl-C

        assert serve.wait(timeout=WAIT_SECONDS) == 0
    assert [role for role, pid in parts.items() if alive(pid)] == []
    assert "SIGINT received, stopping" in log_path.read_text()


def banner_of(var_dir: Path, log_path: Path) -> str:
    with serving(var_dir, log_path) as (serve, _port):
        wait_for(lambda: "按 Ctrl-C 停止" in log_path.read_text(), "the banner")
        os.kill(serve.pid, signal.SIGTERM)
        serve.wait(timeout=WAIT_SECONDS)
    return log_path.read_text()


def test_it_prints_the_demo_logins_once_the_demo_is_loaded(var_dir, tmp_path):
    assert "演示账号" not in banner_of(var_dir, tmp_path / "before.log")  # nothing to sign in with yet

    subprocess.run(
        [sys.executable, "-m", "linli", "seed_demo", "--small"],
        env=linli_env(var_dir),
        check=True,
        capture_output=True,
        timeout=300,  # a fresh database's migrations, on a CI machine that may be busy
    )

    banner = banner_of(var_dir, tmp_path / "after.log")
    assert "演示账号" in banner
    assert all(
        login in banner for login in ("manager", "hp_manager", "13800138001", "13800138002", "operator")
    )
    # The pages to look at first: both communities' big screens and the government view.
    assert len(re.findall(r"大屏 .*: http://\S+/screen/\d+/", banner)) == 2
    assert re.search(r"政府视图 .*: http://\S+/staff/gov/", banner)


def test_it_restarts_a_part_that_dies(var_dir, tmp_path):
    log_path = tmp_path / "serve.log"
    with serving(var_dir, log_path) as (serve, port):
        first = wait_for_parts(serve, "the scheduler to start", lambda found: "scheduler" in found)[
            "scheduler"
        ]

        os.kill(first, signal.SIGKILL)

        second = wait_for_parts(
            serve, "a new scheduler", lambda found: found.get("scheduler") not in (None, first)
        )["scheduler"]
        assert "scheduler exited unexpectedly" in log_path.read_text()
        # The web part kept serving; its one health check may wait while the new scheduler's
        # start-up takes the cores of a busy machine, so it is given the usual wait, not 2 s.
        wait_for(lambda: healthy(port), "/api/v1/health after the restart")
        os.kill(serve.pid, signal.SIGTERM)  # what a service manager sends
        assert serve.wait(timeout=WAIT_SECONDS) == 0
    assert not alive(second)


def test_it_refuses_a_port_that_is_taken(var_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "linli", "serve", "--port", str(port)],
            env=linli_env(var_dir),
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
