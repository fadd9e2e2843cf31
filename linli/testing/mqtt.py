"""Test support for the MQTT ingest: ingest workers run in threads of the test process (each
with its asyncio loop and database thread, as `linli ingest` runs them), and a Mosquitto of the
test's own on a free port, which a test may kill and start again."""

import asyncio
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

from linli.iot.ingest.mqtt import Worker

MOSQUITTO = shutil.which("mosquitto") or ""


def wait_for(check, seconds=10.0) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def subscribed(worker: Worker) -> bool:
    """The broker acknowledged each of the worker's subscriptions (SUBACK)."""
    subscriptions = worker.client.subscriptions
    return bool(subscriptions) and all(s.acknowledged for s in subscriptions)


class Running:
    """A worker in a thread of its own, as a separate process would run it."""

    def __init__(self, url: str, *, shared: bool):
        self.stop = self.loop = None
        self.worker = Worker(url, name=f"test-{uuid.uuid4().hex[:8]}", shared=shared)
        self.thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self):
        self.stop, self.loop = asyncio.Event(), asyncio.get_running_loop()
        await self.worker.run(self.stop)

    def __enter__(self) -> Worker:
        self.thread.start()
        assert wait_for(lambda: subscribed(self.worker)), "the worker did not connect and subscribe"
        return self.worker

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


class Mosquitto:
    """Debian's Mosquitto on a free port of 127.0.0.1, persistence off (as .ci/run starts the
    shared one): a restart forgets every session and subscription."""

    def __init__(self, directory: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.config = directory / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        self.log = directory / "mosquitto.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=log)
        assert wait_for(self._listening), f"mosquitto did not start: {self.log.read_text()}"

    def kill(self) -> None:
        """As a crash: no goodbye to the clients."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True
