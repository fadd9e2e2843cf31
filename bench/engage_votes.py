"""Owners' votes at volume (ENG-3), in one SQLite community:
- casting a ballot through the service, with its log append, signed tree head and the receipt
  (the leaf's inclusion proof under that head, as the API returns it), for every household of a
  10,000-household roll: latency from one process (budget p99 ≤ 50 ms), then throughput of a
  second vote on the same roll cast by as many worker processes as the machine has cores, as a
  server's workers would (budget ≥ 200 ballots/s; one process's rate is printed too);
- the tally of that vote recomputed from its log (budget ≤ 2 s);
- an inclusion proof in a log of 1,000,000 leaves (budget p99 ≤ 10 ms).

    .venv/bin/python bench/engage_votes.py                          # 10,000 households, 1M leaves
    .venv/bin/python bench/engage_votes.py --households 2000 --leaves 100000   # a quick check

The households, their owners and the million-leaf log are written with bulk_create (set-up, not
a product path): the log's leaf hashes and every complete subtree's node, as appending would
have stored them. Ballots and proofs go through the real services.
"""

import argparse
import multiprocessing
import os
import random

from _setup import emit, log, percentiles, setup_django, time_calls, timed

BENCH = "engage_votes"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes casting at once")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of a temporary SQLite")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def build(households: int):
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from linli.registry.models import Building, House, Occupancy, Person, Unit
    from linli.testing import factories as f

    rng = random.Random(7)
    community = f.community(None, "投票花园")
    committee = f.staff(community, "committee_member", f"bench-committee-{community.pk}")
    per_building = 200
    buildings = Building.objects.bulk_create(
        Building(community=community, name=f"{i + 1}号楼")
        for i in range((households + per_building - 1) // per_building)
    )
    units = Unit.objects.bulk_create(Unit(building=b, name="1单元") for b in buildings)
    houses = House.objects.bulk_create(
        House(
            community=community,
            building=units[i // per_building].building,
            unit=units[i // per_building],
            number=f"{i % per_building + 1:04d}",
            floor=1 + (i % per_building) // 8,
            area=Decimal(rng.randint(5000, 16000)) / 100,
        )
        for i in range(households)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"bench-owner-{community.pk}-{i}") for i in range(households)
    )
    people = Person.objects.bulk_create(
        Person(community=community, name=f"业主{i}", user=u) for i, u in enumerate(users)
    )
    Occupancy.objects.bulk_create(
        Occupancy(house=h, person=p, relation="owner", valid_from="2020-01-01")
        for h, p in zip(houses, people, strict=True)
    )
    return community, committee, users


def million(vote, leaves: int) -> None:
    """A log of `leaves` leaves written straight into the tables, as appends would have left it."""
    from linli.engage.models import VoteNode
    from linli.engage.services import votes_merkle as merkle

    batch: list = []
    level_hashes = []
    for index in range(leaves):
        h = merkle.leaf_hash(b'{"bench":%d}' % index)
        batch.append(VoteNode(vote=vote, key=merkle.key(0, index), hash=h))
        level_hashes.append(h)
        if len(batch) >= 20_000:
            VoteNode.objects.bulk_create(batch)
            batch = []
    level = 0
    while len(level_hashes) > 1:
        level += 1
        level_hashes = [
            merkle.node_hash(level_hashes[2 * i], level_hashes[2 * i + 1])
            for i in range(len(level_hashes) // 2)
        ]
        batch += [VoteNode(vote=vote, key=merkle.key(level, i), hash=h) for i, h in enumerate(level_hashes)]
        if len(batch) >= 20_000:
            VoteNode.objects.bulk_create(batch)
            batch = []
    VoteNode.objects.bulk_create(batch)
    keys = [merkle.key(level, i) for level, i in merkle.edge(leaves)]
    found = dict(VoteNode.objects.filter(vote=vote, key__in=keys).values_list("key", "hash"))
    edge = b"".join(bytes(found[k]) for k in keys)
    type(vote).objects.filter(pk=vote.pk).update(leaf_count=leaves, right_edge=edge)
    vote.leaf_count, vote.right_edge = leaves, edge


def main():
    args = parse_args()
    setup_django(BENCH, keep=args.keep, database_url=args.database_url)
    from django.db import connection, connections

    from linli.core import crypto
    from linli.engage.services import votes, votes_ballots, votes_log

    extra = {"households": args.households, "engine": connection.vendor}
    log(f"building {args.households} households")
    community, committee, users = build(args.households)
    vote = votes.do_create_vote(actor=committee, community=community, title="续聘物业", art278_item=4)
    with timed() as elapsed:
        votes.do_open_vote(actor=committee, vote=vote)
    emit(BENCH, "open_fix_roll", elapsed() * 1000, "ms", 1, **extra)

    rng = random.Random(3)

    def cast(vote, i: int) -> None:
        cast = votes_ballots.do_cast_ballot(
            actor=users[i], vote=vote, choice=rng.choice(["for", "for", "against"])
        )
        assert cast.receipt["proof"] or cast.appended.index == 0

    times = []
    with timed() as elapsed:
        for i in range(len(users)):
            with timed() as one:
                cast(vote, i)
            times.append(one() * 1000)
    emit(BENCH, "ballots_per_second_one_process", len(users) / elapsed(), "ballots/s", len(users), **extra)
    for name, value in percentiles(times).items():
        emit(BENCH, f"cast_with_proof_{name}", value, "ms", len(times), budget_p99=50, **extra)

    second = votes.do_open_vote(
        actor=committee,
        vote=votes.do_create_vote(actor=committee, community=community, title="选聘物业", art278_item=4),
    )
    crypto.keyring()  # loaded before the fork, so the workers inherit it
    connections.close_all()  # each worker opens its own connection

    def worker(k: int) -> None:
        for i in range(k, len(users), args.workers):
            cast(second, i)
        connections.close_all()

    with timed() as elapsed:
        procs = [
            multiprocessing.get_context("fork").Process(target=worker, args=(k,)) for k in range(args.workers)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
    assert all(proc.exitcode == 0 for proc in procs), [proc.exitcode for proc in procs]
    second.refresh_from_db()
    assert second.leaf_count == len(users), second.leaf_count
    emit(
        BENCH, "ballots_per_second", len(users) / elapsed(), "ballots/s", len(users), budget=200,
        workers=args.workers, **extra,
    )  # fmt: skip

    vote.refresh_from_db()
    with timed() as elapsed:
        result = votes.count(vote)
    emit(BENCH, "tally_from_log", elapsed() * 1000, "ms", 1, budget=2000, leaves=vote.leaf_count, **extra)
    assert result["participating"]["heads"] == len(users)

    log(f"writing a log of {args.leaves} leaves")
    big = votes.do_create_vote(actor=committee, community=community, title="百万叶子", art278_item=9)
    with timed() as elapsed:
        million(big, args.leaves)
    log(f"built in {elapsed():.1f} s")
    picks = [rng.randrange(args.leaves) for _ in range(args.samples)]
    times = time_calls(lambda i: votes_log.inclusion_proof(big, picks[i], args.leaves), args.samples)
    for name, value in percentiles(times).items():
        emit(BENCH, f"inclusion_proof_{name}", value, "ms", args.samples, budget_p99=10, leaves=args.leaves)
    times = time_calls(
        lambda i: votes_log.consistency_proof(big, 1 + picks[i] % (args.leaves - 1), args.leaves),
        args.samples,
    )
    for name, value in percentiles(times).items():
        emit(BENCH, f"consistency_proof_{name}", value, "ms", args.samples, leaves=args.leaves)


if __name__ == "__main__":
    main()
