"""Devices at volume, through a real Mosquitto on this machine, measured side by side in one run:
- the broker's raw loopback throughput (a publisher and a subscriber that only counts);
- sustained ingest: the same publisher into `linli ingest` (its own process, as in production):
  messages authenticated, validated, evaluated against the rules and stored, per second
  (budget >= 10,000/s), and the ratio to the raw loopback;
- message to alarm committed (budget p50 <= 200 ms, p99 <= 1 s) and the linkage command
  published to the speaker (budget p99 <= 500 ms), with the load running;
- the ingest process's memory with 100,000 registered devices each sending a message
  (budget < 500 MB).

    .venv/bin/python bench/iot.py                       # 10,000 devices on the wire, 100,000 for memory
    .venv/bin/python bench/iot.py --seconds 5 --memory-devices 10000   # a quick check
    .venv/bin/python bench/iot.py --database-url postgres://…/linli_ci

Needs `mosquitto` on PATH (Debian: apt-get install mosquitto); a broker of its own is started on
a free port. Devices are written with bulk_create (set-up, not a product path).
"""

import argparse
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import emit, log, percentiles, setup_django

BENCH = "iot"
REPO = Path(__file__).resolve().parent.parent
PUBLISHER = """
import sys, time, random, orjson
import paho.mqtt.client as paho
port, seconds, rate, community, devices_file = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
devices = [line.split() for line in open(devices_file)]
client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-publisher")
client.max_queued_messages_set(0)
client.connect("127.0.0.1", port)
client.loop_start()
prefix = [(f"linli/{community}/{code}/telemetry", b'{"token":"' + token.encode() + b'","values":{"co":') for code, token in devices]
sent, start = 0, time.time()
rng = random.Random(1)
while True:
    now = time.time()
    if now - start >= seconds:
        break
    if rate and sent > (now - start) * rate:
        time.sleep(0.001)
        continue
    for _ in range(200):
        topic, head = prefix[sent % len(prefix)]
        client.publish(topic, head + str(rng.randint(0, 15)).encode() + b"}}")
        sent += 1
client.loop_stop()
print(orjson.dumps({"sent": sent, "seconds": time.time() - start}).decode())
"""
COUNTER = """
import sys, time, orjson
import paho.mqtt.client as paho
port, seconds = int(sys.argv[1]), float(sys.argv[2])
got = [0]
client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-counter")
client.on_message = lambda c, u, m: got.__setitem__(0, got[0] + 1)
client.connect("127.0.0.1", port)
client.subscribe("linli/+/+/telemetry")
client.loop_start()
time.sleep(0.5)
print("ready", flush=True)
start, before = time.time(), got[0]
time.sleep(seconds)
print(orjson.dumps({"received": got[0] - before, "seconds": time.time() - start}).decode(), flush=True)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=10_000, help="devices publishing on the wire")
    parser.add_argument("--seconds", type=float, default=20, help="length of each throughput run")
    parser.add_argument("--memory-devices", type=int, default=100_000, help="devices for the memory figure")
    parser.add_argument("--alarms", type=int, default=100, help="alarm latency samples under load")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(work: Path) -> tuple[subprocess.Popen, int]:
    if not shutil.which("mosquitto"):
        sys.exit("bench/iot.py needs mosquitto on PATH (apt-get install mosquitto)")
    port = free_port()
    conf = work / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n"
    )
    broker = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return broker, port
        time.sleep(0.1)
    sys.exit("mosquitto did not start")


def register(count: int, *, prefix: str = "co") -> tuple[object, list[tuple[str, str]], object]:
    """`count` CO detectors and, in one building, a smoke detector and a speaker for the alarms."""
    from linli.iot.choices import DeviceKind
    from linli.iot.models import Device, DeviceState, Profile
    from linli.iot.services.devices import ensure_profiles
    from linli.testing import factories as f

    community = f.community(None, "物联花园")
    building = f.building(community, "1号楼")
    ensure_profiles(community.pk)
    profiles = {p.kind: p for p in Profile.objects.filter(community=community)}
    pairs = [(f"{prefix}-{i}", "lnd_" + secrets.token_urlsafe(24)) for i in range(count)]
    made = Device.objects.bulk_create(
        (
            Device(
                community=community,
                profile=profiles[DeviceKind.CO],
                code=code,
                name=code,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
            )
            for code, token in pairs
        ),
        batch_size=5000,
    )
    DeviceState.objects.bulk_create((DeviceState(device=d) for d in made), batch_size=5000)
    extra = {}
    for kind, code in ((DeviceKind.SMOKE, "smoke"), (DeviceKind.SPEAKER, "speaker")):
        token = "lnd_" + secrets.token_urlsafe(24)
        device = Device.objects.create(
            community=community,
            profile=profiles[kind],
            code=code,
            name=code,
            building=building,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
        DeviceState.objects.create(device=device)
        extra[code] = token
    return community, pairs, extra


def loopback(port: int, seconds: float, community: str, devices_file: Path) -> float:
    counter = subprocess.Popen(
        [sys.executable, "-c", COUNTER, str(port), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert counter.stdout.readline().strip() == "ready"
    publisher = subprocess.run(
        [sys.executable, "-c", PUBLISHER, str(port), str(seconds), "0", community, str(devices_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    received = json.loads(counter.stdout.readline())
    counter.wait()
    sent = json.loads(publisher.stdout)
    emit(
        BENCH,
        "broker_loopback",
        received["received"] / received["seconds"],
        "msg/s",
        n=received["received"],
        published_per_s=round(sent["sent"] / sent["seconds"]),
    )
    return received["received"] / received["seconds"]


def worker_counters() -> dict:
    from linli.iot.models import WorkerStatus

    row = WorkerStatus.objects.filter(name="bench-ingest").first()
    return dict(row.counters) if row else {}


def wait_for_worker(proc: subprocess.Popen) -> None:
    for _ in range(600):
        if worker_counters():
            return
        if proc.poll() is not None:
            sys.exit("linli ingest exited")
        time.sleep(0.1)
    sys.exit("linli ingest did not report")


def _last_reading_id() -> int:
    from django.db.models import Max

    from linli.iot.models import Reading

    return Reading.objects.aggregate(m=Max("id"))["m"] or 0


def sustained(port: int, seconds: float, community: str, devices_file: Path, raw: float) -> None:
    """Stored readings per second, from the first publish until the worker stops storing (the
    broker's backlog drained): what the worker keeps up with, not what the publisher sends."""
    before, first_id = worker_counters(), _last_reading_id()
    started = time.time()
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(port), str(seconds), "0", community, str(devices_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    last_id, last_change = first_id, started
    while publisher.poll() is None or time.time() - last_change < 2:
        time.sleep(0.25)
        current = _last_reading_id()
        if current != last_id:
            last_id, last_change = current, time.time()
    sent = json.loads(publisher.stdout.read())
    time.sleep(5.5)  # the worker's counters, reported every 5 s
    after = worker_counters()
    refused = {
        k: v - before.get(k, 0)
        for k, v in after.items()
        if k not in ("accepted", "flushed") and v != before.get(k, 0)
    }
    stored = last_id - first_id
    rate = stored / (last_change - started)
    emit(
        BENCH,
        "ingest_sustained",
        rate,
        "msg/s",
        n=stored,
        published=sent["sent"],
        published_per_s=round(sent["sent"] / sent["seconds"]),
        refused=refused,
        ratio_to_loopback=round(rate / raw, 3) if raw else None,
    )


def alarm_latency(port: int, samples: int, community: str, tokens: dict, load_file: Path) -> None:
    """Smoke over the limit from one detector, one sample at a time, with the CO fleet publishing
    5,000 messages a second: publish → alarm committed; publish → the speaker's broadcast command
    (the smoke rule's action) on the wire."""
    from datetime import UTC, datetime

    import orjson
    import paho.mqtt.client as paho

    from linli.iot.models import Alarm

    load = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(port), str(samples + 30), "5000", community, str(load_file)],
        stdout=subprocess.DEVNULL,
    )
    heard: list[float] = []
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-alarms")
    client.on_message = lambda c, u, m: heard.append(time.time())
    client.connect("127.0.0.1", port)
    client.subscribe(f"linli/{community}/speaker/command", qos=1)
    client.loop_start()
    time.sleep(2)
    topic = f"linli/{community}/smoke/telemetry"
    to_alarm, to_command = [], []
    for _ in range(samples):
        client.publish(
            topic, orjson.dumps({"token": tokens["smoke"], "values": {"smoke": 0.0}})
        ).wait_for_publish()
        time.sleep(0.5)  # cleared by the rule: the next reading over the limit is a fresh alarm
        sent = time.time()
        client.publish(
            topic, orjson.dumps({"token": tokens["smoke"], "values": {"smoke": 2.0}})
        ).wait_for_publish()
        alarm, deadline = None, sent + 5
        while time.time() < deadline and (alarm is None or not [t for t in heard if t >= sent]):
            since = datetime.fromtimestamp(sent - 0.001, UTC)
            alarm = alarm or Alarm.objects.filter(type="smoke", created_at__gte=since).first()
            time.sleep(0.005)
        if alarm is not None:
            to_alarm.append((alarm.created_at.timestamp() - sent) * 1000)
        after = [t for t in heard if t >= sent]
        if after:
            to_command.append((after[0] - sent) * 1000)
    load.terminate()
    client.loop_stop()
    emit(
        BENCH,
        "message_to_alarm",
        percentiles(to_alarm)["p50"],
        "ms",
        n=len(to_alarm),
        **percentiles(to_alarm),
    )
    emit(
        BENCH,
        "message_to_command",
        percentiles(to_command)["p50"],
        "ms",
        n=len(to_command),
        **percentiles(to_command),
    )


def ingest_memory(port: int, worker: subprocess.Popen, community: str, all_file: Path, devices: int) -> None:
    """Every registered device sends once more (the 1-message-a-minute fleet), then the worker
    process's peak resident memory."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            PUBLISHER,
            str(port),
            str(devices / 8000 + 2),
            "8000",
            community,
            str(all_file),
        ],
        capture_output=True,
        check=True,
    )
    time.sleep(6)
    status = Path(f"/proc/{worker.pid}/status").read_text()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    emit(BENCH, "ingest_memory", peak_kb / 1024, "MB", n=devices, accepted=worker_counters().get("accepted"))


def main():
    args = parse_args()
    setup_django(BENCH, database_url=args.database_url)
    work = Path(tempfile.mkdtemp(prefix="linli-bench-iot-"))
    broker, port = start_broker(work)
    worker = None
    try:
        community, pairs, tokens = register(max(args.devices, args.memory_devices))
        devices_file, all_file = work / "devices.txt", work / "all.txt"
        devices_file.write_text("".join(f"{code} {token}\n" for code, token in pairs[: args.devices]))
        all_file.write_text("".join(f"{code} {token}\n" for code, token in pairs))
        log(f"{len(pairs)} devices registered, {args.devices} on the wire; broker on {port}")
        raw = loopback(port, args.seconds, community.code, devices_file)
        env = {**os.environ, "LINLI_MQTT_URL": f"mqtt://127.0.0.1:{port}"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "linli", "ingest", "--name", "bench-ingest"], env=env, cwd=REPO
        )
        wait_for_worker(worker)
        sustained(port, args.seconds, community.code, devices_file, raw)
        alarm_latency(port, args.alarms, community.code, tokens, devices_file)
        ingest_memory(port, worker, community.code, all_file, len(pairs))
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        broker.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
