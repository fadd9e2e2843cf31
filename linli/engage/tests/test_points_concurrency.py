"""Two redemptions racing for the last item, and for a household's last points: one wins, the
other is refused with nothing written (SQLite here, PostgreSQL in CI)."""

import pytest

from linli.core.errors import Conflict
from linli.engage.models import CatalogueItem, PointsAccount, PointsEntry, Redemption
from linli.engage.services import points_catalogue
from linli.testing import engage_points as ep
from linli.testing.threads import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_households_race_for_the_last_item(world):
    ep.give(world, world.house, 50, "a")
    ep.give(world, world.neighbour_house, 50, "b")
    item = ep.item(world, price=20, stock=1)
    results = race(
        [
            lambda: points_catalogue.do_redeem(actor=world.owner, item=item, house_id=world.house.pk),
            lambda: points_catalogue.do_redeem(
                actor=world.neighbour, item=item, house_id=world.neighbour_house.pk
            ),
        ]
    )
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and [r.code for r in lost] == ["out_of_stock"]
    assert CatalogueItem.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.count() == 1 and PointsEntry.objects.filter(kind="redeem").count() == 1
    assert sorted(PointsAccount.objects.values_list("balance", flat=True)) == [30, 50]


def test_two_members_of_a_household_race_for_its_last_points(world):
    ep.give(world, world.house, 20, "a")
    car_wash = ep.item(world, name="免费洗车一次", price=20, stock=5)
    voucher = ep.item(world, name="社区超市代金券", price=20, stock=5)
    results = race(
        [
            lambda: points_catalogue.do_redeem(actor=world.owner, item=car_wash, house_id=world.house.pk),
            lambda: points_catalogue.do_redeem(actor=world.tenant, item=voucher, house_id=world.house.pk),
        ]
    )
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and [r.code for r in lost] == ["insufficient_points"]
    assert PointsAccount.objects.get(house=world.house).balance == 0
    # the loser's item was not taken either
    assert sorted(CatalogueItem.objects.values_list("stock", flat=True)) == [4, 5]
    assert Redemption.objects.count() == 1
    entries = list(PointsEntry.objects.order_by("id").values_list("amount", "balance_after"))
    assert entries == [(20, 20), (-20, 0)]
