"""Buildings and units are listed in natural order (1号楼, 2号楼, 10号楼), wherever they appear:
the API, the population figures, the console and the access point picker."""

from django.test import Client

from linli.testing import factories as f


def _names(rows, key="name") -> list[str]:
    return [row[key] for row in rows]


def _ordered(html: str, names: list[str]) -> bool:
    positions = [html.index(name) for name in names]
    return positions == sorted(positions)


def test_it_lists_buildings_and_units_in_natural_order(world, api):
    for name in ("10号楼", "2号楼"):  # created after 1号楼, in the order text sorting would give
        house = f.house(f.unit(f.building(world.a, name)), "101", floor=1)
        f.occupy(house, f.person(world.a, f"住户{name}"), "owner")
    for name in ("10单元", "2单元"):
        f.unit(world.building, name)
    client = api(world.staff)

    buildings = client.get(f"/communities/{world.a.id}/buildings").json()
    assert _names(buildings) == ["1号楼", "2号楼", "10号楼"]
    units = client.get(f"/buildings/{world.building.id}/units").json()
    assert _names(units) == ["1单元", "2单元", "10单元"]
    population = client.get(f"/communities/{world.a.id}/population").json()["by_building"]
    assert _names(population, "building") == ["1号楼", "2号楼", "10号楼"]

    console = Client()
    console.force_login(world.admin)
    page = console.get(f"/staff/c/{world.a.id}/buildings/").content.decode()
    assert _ordered(page, ["1号楼</a>", "2号楼</a>", "10号楼</a>"])
    picker = console.get(f"/access/c/{world.a.id}/points/").content.decode()
    assert _ordered(picker, [">1号楼</option>", ">2号楼</option>", ">10号楼</option>"])


def test_it_lists_a_residents_houses_and_doors_in_natural_order(world):
    from linli.testing.access import install

    tenth = f.building(world.a, "10号楼")  # built before the 2号楼 that install() adds
    install(world)  # doors of 1号楼 and 2号楼, a gate, a garage
    for building in (tenth, world.a.buildings.get(name="2号楼")):
        f.occupy(f.house(f.unit(building), "101", floor=1), world.owner_person, "owner")
    resident = Client()
    resident.force_login(world.owner)
    home = resident.get("/").content.decode()
    assert _ordered(home, ["1号楼-1单元-301", "2号楼-1单元-101", "10号楼-1单元-101"])
    pins = resident.get("/access/").content.decode()
    assert _ordered(pins, ["1号楼-1单元-301", "2号楼-1单元-101", "10号楼-1单元-101"])
