"""The money lists keep a constant number of queries however many rows they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.billing.choices import FeeKind
from linli.billing.services import ledger
from linli.billing.services.waivers import do_request_waiver
from linli.testing import billing_money as m
from linli.testing import factories as f


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _grow(world, n):
    """n more houses, each with a deposit and a property bill under a pending waiver; and one
    more bill and its payment in the ledger of the world's house."""
    deposit, fee = m.fee_item(world.a, FeeKind.DEPOSIT, f"押金{n}"), m.fee_item(world.a, name=f"物业费{n}")
    m.pay(m.bill(world.house, fee, 500), 500)
    for i in range(n):
        house = f.house(world.house.unit, f"{n}{i:02d}")
        m.bill(house, deposit, 100000)
        do_request_waiver(
            actor=world.front_desk, bill=m.bill(house, fee, 10000), amount_fen=100, reason="测试"
        )


def test_the_lists_do_not_grow_with_their_rows(world, api):
    client = api(world.staff)
    paths = [
        f"/billing/communities/{world.a.pk}/waivers",
        f"/billing/communities/{world.a.pk}/deposits",
        f"/billing/houses/{world.house.pk}/ledger",
    ]
    _grow(world, 1)
    client.get(paths[0])  # warm the session
    few = [_queries(client, p) for p in paths]
    _grow(world, 8)
    assert [_queries(client, p) for p in paths] == few
    assert ledger.verify().ok
