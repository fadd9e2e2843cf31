import pytest

from linli.notify.fakes import sms_outbox  # noqa: F401  (fixture)
from linli.testing import factories as f


@pytest.fixture
def second_building(world):
    """2号楼 of community A with one owner-occupied house, and a second unit in 1号楼."""
    building = f.building(world.a, "2号楼")
    house = f.house(f.unit(building), "201", floor=2, area="100.00")
    user = f.user("qian", phone="13900000009")
    f.occupy(house, f.person(world.a, "钱二楼", phone="13900000009", login=user), "owner")
    unit2 = f.unit(world.building, "2单元")
    house2 = f.house(unit2, "101", floor=1, area="60.00")
    sun = f.user("sun", phone="13900000010")
    f.occupy(house2, f.person(world.a, "孙二单元", phone="13900000010", login=sun), "owner")
    return {"building": building, "house": house, "user": user, "unit2": unit2, "house2": house2, "sun": sun}
