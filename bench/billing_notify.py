"""Payment notification → bill paid: server time per notification, and notifications per second
sustained over HTTP (budget: p99 ≤ 50 ms server time; ≥ 200/s).

    make bench ONLY=billing_notify [ARGS="--quick"]
    .venv/bin/python bench/billing_notify.py [--orders 3000] [--connections 8] [--duration 10]

Builds, in a throwaway database (SQLite in a temporary LINLI_VAR_DIR, or a schema of its own
when DATABASE_URL names PostgreSQL, as bench/api.py does), one community with houses, one bill
per order and one pending sandbox order per bill, each bill posted to the ledger. Every order
gets its own notification, built as the sandbox's pay page builds it: WeChat Pay v3's format,
RSA-SHA256 signed and AES-256-GCM encrypted with this installation's sandbox keys, so the
server verifies each one exactly as it would a real provider's.

- server time: `receive_notification()` in-process (verify, record, amount check, settle with
  its ledger posting, receipt and event), one notification after another;
- over HTTP: `linli serve` (as `make run` serves), `--connections` keep-alive clients each
  POSTing distinct notifications to /api/v1/billing/notify/sandbox as fast as answered for
  `--duration` seconds; the rate is the 204s per second, p50/p95/p99 as the client sees them.

Afterwards every order must be paid once and the ledger must verify: a fast wrong answer is
not a result. The clients share the machine's cores with the server: figures are indicative.
"""

import argparse
import http.client
import os
import sys
import threading
import time

from _setup import emit, log, percentiles, setup_django
from api import Server, database_url, free_port, serve_command

BENCH = "billing_notify"
PATH = "/api/v1/billing/notify/sandbox"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=4000, help="orders prepared (in-process + HTTP)")
    parser.add_argument("--in-process", type=int, default=500, help="of which timed in-process")
    parser.add_argument("--connections", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the HTTP run at most")
    parser.add_argument("--quick", action="store_true", help="small and short: a smoke check")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.in_process, args.duration = 600, 100, 2.0
    return args


def prepare(n: int) -> list[str]:
    """n pending sandbox orders, each for one posted bill; returns their order numbers."""
    from django.db import transaction

    from linli.billing.choices import Channel
    from linli.billing.models import Payment, PaymentAllocation
    from linli.billing.services.settle import new_trade_no
    from linli.testing import factories as f
    from linli.testing.billing_pay import make_bill

    community = f.community("bench", "压测小区")
    unit = f.unit(f.building(community, "1号楼"))
    per_house = 24  # bills of one house differ by fee item and month
    numbers = []
    with transaction.atomic():
        for h in range((n + per_house - 1) // per_house):
            house = f.house(unit, f"{h + 1:04d}", floor=1 + h // 10)
            for i in range(min(per_house, n - h * per_house)):
                bill = make_bill(house, 20000 + i, month=1 + i % 12, name=f"物业费{i // 12}")
                payment = Payment.objects.create(
                    community=community,
                    house=house,
                    channel=Channel.SANDBOX,
                    amount_fen=bill.amount_fen,
                    out_trade_no=new_trade_no(),
                )
                PaymentAllocation.objects.create(payment=payment, bill=bill, amount_fen=bill.amount_fen)
                numbers.append(payment.out_trade_no)
    return numbers


def notifications(numbers: list[str]) -> list[tuple[dict, bytes]]:
    """Each order's notification as the sandbox's pay page writes it (its books record it too)."""
    from linli.billing import providers
    from linli.billing.models import Payment

    sandbox = providers.get("sandbox")
    amounts = dict(Payment.objects.filter(out_trade_no__in=numbers).values_list("out_trade_no", "amount_fen"))
    return [sandbox.pay(no, amounts[no]) for no in numbers]  # type: ignore[attr-defined]


def in_process(batch: list[tuple[dict, bytes]]) -> list[float]:
    from linli.billing.services.pay import receive_notification

    times = []
    for headers, body in batch:
        start = time.perf_counter()
        outcome = receive_notification("sandbox", headers, body)
        times.append((time.perf_counter() - start) * 1000)
        if outcome.outcome != "paid":
            sys.exit(f"in-process: {outcome}")
    return times


def over_http(port: int, batch: list[tuple[dict, bytes]], connections: int, seconds: float) -> dict:
    """Each client takes the next notification and POSTs it on its keep-alive connection."""
    lock, cursor, latencies, statuses = threading.Lock(), [0], [], {}
    deadline = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if cursor[0] >= len(batch):
                    break
                headers, body = batch[cursor[0]]
                cursor[0] += 1
            start = time.perf_counter()
            conn.request("POST", PATH, body, {**headers, "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    wall = time.perf_counter() - started
    return {"sent": len(latencies), "seconds": wall, "statuses": statuses, "latencies": latencies}


def main() -> None:
    args = parse_args()
    url, drop_schema = database_url()
    try:
        bench(args, url)
    finally:
        drop_schema()


def bench(args, url: str | None) -> None:
    os.environ["LINLI_PAY_PROVIDERS"] = "sandbox"
    var_dir = setup_django(BENCH, database_url=url, tasks=None)
    from django.db import connection, connections

    from linli.billing.models import LedgerTransaction, Payment
    from linli.billing.services import ledger

    log(f"database: {connection.vendor}; preparing {args.orders} orders …")
    numbers = prepare(args.orders)
    batch = notifications(numbers)  # signed now: the server accepts them for 5 minutes

    log(f"in-process: {args.in_process} notifications …")
    times = in_process(batch[: args.in_process])
    cuts = percentiles(times)
    for name, value in cuts.items():
        emit(
            BENCH,
            f"server_{name}",
            value,
            "ms",
            len(times),
            database=connection.vendor,
            **({"budget": 50, "met": value <= 50} if name == "p99" else {}),
        )
    connections.close_all()

    port = free_port()
    argv, env = serve_command(port)
    server = Server(argv, env, port, var_dir / "serve.log")
    try:
        server.wait_until_up("/api/v1/health")
        warm = args.in_process + 4 * args.connections  # first requests: imports, connections, caches
        warmed = over_http(port, batch[args.in_process : warm], args.connections, 30)
        log(f"over HTTP: {args.connections} clients, up to {args.duration:g} s …")
        run = over_http(port, batch[warm:], args.connections, args.duration)
    finally:
        server.stop()
    ok = run["statuses"].get(204, 0)
    rate = ok / run["seconds"]
    cuts = percentiles(run["latencies"])
    emit(
        BENCH,
        "http_rate",
        rate,
        "notifications/s",
        run["sent"],
        connections=args.connections,
        statuses=run["statuses"],
        budget=200,
        met=rate >= 200 and ok == run["sent"],
        database=connection.vendor,
    )
    for name, value in cuts.items():
        emit(BENCH, f"http_{name}", value, "ms", run["sent"], connections=args.connections)

    paid = Payment.objects.filter(status="paid").count()
    postings = LedgerTransaction.objects.filter(kind="payment").count()
    report = ledger.verify()
    expected = args.in_process + warmed["statuses"].get(204, 0) + ok
    emit(
        BENCH,
        "paid_once",
        paid,
        "orders",
        expected,
        postings=postings,
        ledger_ok=report.ok,
        met=paid == postings == expected and report.ok,
    )
    if not (paid == postings == expected and report.ok):
        sys.exit(
            f"not paid once: paid {paid}, postings {postings}, expected {expected}, ledger {report.problems[:5]}"
        )


if __name__ == "__main__":
    main()
