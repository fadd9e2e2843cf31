"""SEC-1: roles narrowed to a building or a grid see only that; a role ending ends at once."""

from linli.grid.models import Grid
from linli.testing import factories as f


def _second_building(world):
    other = f.building(world.a, "2号楼")
    house = f.house(f.unit(other), "101", floor=1)
    f.occupy(house, f.person(world.a, "钱二号"), "owner")
    return other, house


def test_it_limits_a_building_scoped_role_to_its_building(world, api):
    other, other_house = _second_building(world)
    keeper = f.staff(world.a, "front_desk", "keeper", building=other)
    assert api(keeper).get(f"/houses/{other_house.id}").status_code == 200
    assert api(keeper).get(f"/houses/{world.house.id}").status_code == 404
    names = {p["name"] for p in api(keeper).get("/people", {"community": world.a.id}).json()["items"]}
    assert names == {"钱二号"}


def test_it_limits_a_grid_worker_to_the_buildings_of_their_grid(world, api):
    other, other_house = _second_building(world)
    grid = Grid.objects.create(community=world.a, name="第二网格")
    grid.buildings.add(other)
    worker = f.staff(world.a, "grid_worker", "gw2", grid=grid)
    assert api(worker).get(f"/houses/{other_house.id}").status_code == 200
    assert api(worker).get(f"/houses/{world.house.id}").status_code == 404


def test_it_manages_memberships_and_an_ended_role_loses_access_at_once(world, api):
    newcomer = f.user("newcomer")
    r = api(world.admin).post(
        f"/communities/{world.a.id}/memberships", {"user_id": newcomer.id, "role": "front_desk"}
    )
    assert r.status_code == 201, r.content
    assert api(newcomer).get(f"/houses/{world.house.id}").status_code == 200
    assert api(world.admin).delete(f"/memberships/{r.json()['id']}").status_code == 204
    assert api(newcomer).get(f"/houses/{world.house.id}").status_code == 404


def test_it_refuses_membership_changes_from_non_admins_and_outsiders(world, api):
    body = {"user_id": world.technician.id, "role": "community_admin"}
    assert api(world.technician).post(f"/communities/{world.a.id}/memberships", body).status_code == 404
    assert api(world.outsider).post(f"/communities/{world.a.id}/memberships", body).status_code == 404
    assert api(world.staff).post(f"/communities/{world.a.id}/memberships", body).status_code == 404


def test_it_counts_real_and_floating_population(world, api):
    r = api(world.grid_worker).get(f"/communities/{world.a.id}/population")
    assert r.status_code == 200, r.content
    body = r.json()
    # owner + tenant in 301, neighbour in 302; the tenant's 户籍 is elsewhere
    assert (body["real"], body["floating"], body["tenants"], body["households"]) == (3, 1, 1, 2)
    assert body["by_building"][0]["real"] == 3
    assert api(world.outsider).get(f"/communities/{world.a.id}/population").status_code == 404
    assert api(world.owner).get(f"/communities/{world.a.id}/population").status_code == 404


def test_it_lets_only_the_operator_create_communities(world, api):
    body = {"name": "新小区", "code": "xin"}
    assert api(world.admin).post("/communities", body).status_code == 403
    assert api(world.operator).post("/communities", body).status_code == 201
    assert api(world.operator).post("/communities", body).json()["code"] == "duplicate_code"
