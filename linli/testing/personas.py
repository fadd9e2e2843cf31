"""The cast every feature test uses (convention 7): an owner, a tenant, staff of community A,
a technician, and an outsider from community B."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from linli.core.models import Community
from linli.registry.models import Building, House, Occupancy, Person
from linli.testing import factories as f


@dataclass
class World:
    a: Community
    b: Community
    building: Building
    house: House  # the owner's flat, let to the tenant
    neighbour_house: House
    house_b: House
    owner: object
    owner_person: Person
    tenant: object
    tenant_person: Person
    lease: Occupancy
    neighbour: object
    staff: object  # property manager of A
    front_desk: object
    technician: object
    grid_worker: object
    admin: object  # community admin of A
    outsider: object  # community admin of B, and a resident of B
    operator: object


def build_world() -> World:
    today = timezone.localdate()
    a = f.community("a", "幸福里小区")
    b = f.community("b", "和平苑")
    bld = f.building(a, "1号楼")
    u = f.unit(bld)
    house = f.house(u, "301", floor=3, area="89.50")
    neighbour_house = f.house(u, "302", floor=3, area="120.00")
    house_b = f.house(f.unit(f.building(b, "1号楼")), "101", floor=1)

    owner = f.user("owner", phone="13800000001", display_name="王业主")
    owner_person = f.person(a, "王建国", phone="13800000001", login=owner)
    f.occupy(house, owner_person, "owner")
    tenant = f.user("tenant", phone="13800000002", display_name="李租客")
    tenant_person = f.person(a, "李小梅", phone="13800000002", login=tenant, hukou_local=False)
    lease = f.occupy(
        house,
        tenant_person,
        "tenant",
        valid_from=today - timedelta(days=100),
        valid_to=today + timedelta(days=1),
    )
    neighbour = f.user("neighbour", phone="13800000003")
    f.occupy(neighbour_house, f.person(a, "赵邻居", phone="13800000003", login=neighbour), "owner")

    outsider = f.staff(b, "community_admin", "outsider")
    f.occupy(house_b, f.person(b, "陈外人", login=outsider), "owner")
    operator = f.user("operator", is_operator=True)
    return World(
        a=a,
        b=b,
        building=bld,
        house=house,
        neighbour_house=neighbour_house,
        house_b=house_b,
        owner=owner,
        owner_person=owner_person,
        tenant=tenant,
        tenant_person=tenant_person,
        lease=lease,
        neighbour=neighbour,
        staff=f.staff(a, "property_manager", "staff"),
        front_desk=f.staff(a, "front_desk", "frontdesk"),
        technician=f.staff(a, "technician", "tech"),
        grid_worker=f.staff(a, "grid_worker", "gridworker"),
        admin=f.staff(a, "community_admin", "admin_a"),
        outsider=outsider,
        operator=operator,
    )


@dataclass
class Narrowed:
    """Staff of community A narrowed to the world's 1号楼, and 2号楼 of the same community with
    a resident whom they must never see (the narrowed-staff test and the care-page leak)."""

    front_desk: object  # front desk of 1号楼 only
    technician: object  # technician of 1号楼 only
    grid_worker: object  # grid worker of 一网格 (1号楼 only)
    grid: object
    other_grid: object  # 二网格: 2号楼
    other_building: Building
    other_house: House
    other_person: Person  # 钱二楼, lives in 2号楼
    other_occupancy: Occupancy
    other_user: object


def build_narrowed(world: World) -> Narrowed:
    from linli.grid.models import Grid

    other_building = Building.objects.filter(community=world.a, name="2号楼").first() or f.building(
        world.a, "2号楼"
    )
    other_house = f.house(f.unit(other_building), "201", floor=2)
    other_user = f.user("qian", phone="13900000009", display_name="钱二楼")
    other_person = f.person(world.a, "钱二楼", phone="13900000009", login=other_user)
    other_occupancy = f.occupy(other_house, other_person, "owner")
    grid = Grid.objects.create(community=world.a, name="一网格")
    grid.buildings.add(world.building)
    other_grid = Grid.objects.create(community=world.a, name="二网格")
    other_grid.buildings.add(other_building)
    return Narrowed(
        front_desk=f.staff(world.a, "front_desk", "desk_1", building=world.building),
        technician=f.staff(world.a, "technician", "tech_1", building=world.building),
        grid_worker=f.staff(world.a, "grid_worker", "grid_1", grid=grid),
        grid=grid,
        other_grid=other_grid,
        other_building=other_building,
        other_house=other_house,
        other_person=other_person,
        other_occupancy=other_occupancy,
        other_user=other_user,
    )
