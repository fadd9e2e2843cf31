"""Points under contention (ENG-6), on one community:
- redemptions per second with several threads redeeming one item at once (each redemption is a
  conditional update of the item's stock and of a household's balance plus two inserts), and that
  an item with little stock is never oversold when the threads race for the last ones;
- the latency of reading a household's balance (the service's read, and "my points" through the
  API as the resident).

    .venv/bin/python bench/engage_points.py                  # 4 threads, 2,000 redemptions
    .venv/bin/python bench/engage_points.py --redemptions 400 --threads 2   # a quick check
    .venv/bin/python bench/engage_points.py --database-url postgres://…/linli_ci

Households get their points through the service (a staff correction each); the redemptions are
made by staff at the counter for them (代办), through the service, in threads of their own.
"""

import argparse
import threading
import time

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "engage_points"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--houses", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--redemptions", type=int, default=2000, help="redemptions in the throughput run")
    parser.add_argument("--last", type=int, default=50, help="stock of the item raced for to its end")
    parser.add_argument("--samples", type=int, default=2000, help="balance reads measured")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(houses: int):
    from linli.engage.services import points
    from linli.registry.models import Building, House, Unit
    from linli.testing import factories as f

    community = f.community(None, "积分花园")
    manager = f.staff(community, "property_manager", f"bench-manager-{community.pk}")
    building = Building.objects.create(community=community, name="1号楼")
    unit = Unit.objects.create(building=building, name="1单元")
    rows = House.objects.bulk_create(
        House(community=community, building=building, unit=unit, number=str(1000 + i), floor=1, area=90)
        for i in range(houses)
    )
    for house in rows:
        account = points.account_for(community.pk, house.pk)
        points.do_adjust_points(actor=manager, account=account, amount=1_000_000, text="压测初始积分")
    resident = f.user("bench-resident", phone="13800009999")
    f.occupy(rows[0], f.person(community, "压测居民", phone="13800009999", login=resident), "owner")
    return community, manager, [h.pk for h in rows], resident


def hammer(threads: int, work) -> tuple[int, int, float]:
    """Runs work(thread_no) in `threads` threads at once; (successes, refusals, seconds)."""
    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    counts = [[0, 0] for _ in range(threads)]

    def run(n):
        try:
            barrier.wait()
            counts[n][0], counts[n][1] = work(n)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    with timed() as elapsed:
        for t in pool:
            t.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed()


def redeem_until(item, manager, house_ids, n, threads, limit):
    """One thread's loop: redeem for its own households until `limit` or the stock runs out."""
    from django.db import OperationalError

    from linli.core.errors import Conflict
    from linli.engage.services import points_catalogue

    done = refused = 0
    mine = house_ids[n::threads]
    while done < limit:
        try:
            points_catalogue.do_redeem(actor=manager, item=item, house_id=mine[done % len(mine)])
            done += 1
        except Conflict:
            refused += 1
            break
        except OperationalError:  # SQLite's lock wait ran out: the redemption rolled back whole
            time.sleep(0.001)
    return done, refused


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.test import Client

    from linli.engage import queries_points
    from linli.engage.models import CatalogueItem, Redemption
    from linli.engage.services import points_catalogue

    community, manager, house_ids, resident = build(args.houses)
    log(f"{args.houses} households with points; {args.threads} threads")

    item = points_catalogue.do_create_item(
        actor=manager, community_id=community.pk, name="社区超市代金券", price=10, stock=args.redemptions
    )
    per_thread = args.redemptions // args.threads
    done, _refused, seconds = hammer(
        args.threads, lambda n: redeem_until(item, manager, house_ids, n, args.threads, per_thread)
    )
    emit(BENCH, "redemptions_per_second_one_item", done / seconds, "1/s", n=done, threads=args.threads)

    last = points_catalogue.do_create_item(
        actor=manager, community_id=community.pk, name="免费洗车一次", price=10, stock=args.last
    )
    done, _refused, _seconds = hammer(
        args.threads, lambda n: redeem_until(last, manager, house_ids, n, args.threads, args.last)
    )
    left = CatalogueItem.objects.get(pk=last.pk).stock
    taken = Redemption.objects.filter(item=last).count()
    assert (done, taken, left) == (args.last, args.last, 0), (done, taken, left)
    emit(
        BENCH, "last_stock_race_oversold", taken - args.last, "redemptions", n=args.last, threads=args.threads
    )

    reads = time_calls(lambda i: queries_points.balance(house_ids[i % len(house_ids)]), args.samples)
    emit(BENCH, "balance_read_p50", percentiles(reads)["p50"], "ms", n=args.samples)
    emit(BENCH, "balance_read_p99", percentiles(reads)["p99"], "ms", n=args.samples)

    client = Client()
    client.force_login(resident)
    api = time_calls(lambda i: client.get("/api/v1/engage/points/my/accounts"), max(100, args.samples // 10))
    emit(BENCH, "my_points_api_p50", percentiles(api)["p50"], "ms", n=len(api))
    emit(BENCH, "my_points_api_p99", percentiles(api)["p99"], "ms", n=len(api))


if __name__ == "__main__":
    main()
