"""An estate for owners' votes on top of the world: a co-owned flat, an owner of two flats, the
developer's two unsold flats; the verifier in tools/ loaded as a module."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from linli.registry.models import House
from linli.testing import engage_votes
from linli.testing import factories as f


@pytest.fixture
def verifier():
    spec = importlib.util.spec_from_file_location(
        "verify_vote", Path(__file__).parents[3] / "tools" / "verify_vote.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def estate(world):
    """Roll: 王建国 301 (89.50), 赵邻居 302 (120.00), 张甲+张乙 303 (100.00), 孙 401+402
    (160.00), the developer 501+502 (160.00): 5 heads, 629.50 ㎡."""
    u = world.house.unit
    co = f.house(u, "303", area="100.00")
    zhang_jia, zhang_yi = f.user("zhangjia"), f.user("zhangyi")
    f.occupy(co, f.person(world.a, "张甲", login=zhang_jia), "owner")
    f.occupy(co, f.person(world.a, "张乙", login=zhang_yi), "co_owner")
    sun = f.user("sun")
    sun_person = f.person(world.a, "孙多房", login=sun)
    for number, area in (("401", "90.00"), ("402", "70.00")):
        f.occupy(f.house(u, number, floor=4, area=area), sun_person, "owner")
    dev = [f.house(u, n, floor=5, area="80.00") for n in ("501", "502")]
    House.objects.filter(pk__in=[h.pk for h in dev]).update(developer_held=True)
    return SimpleNamespace(
        world=world,
        co_house=co,
        zhang_jia=zhang_jia,
        zhang_yi=zhang_yi,
        sun=sun,
        committee=engage_votes.committee(world),
    )
