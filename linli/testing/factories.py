"""Test builders. They write through the ORM directly: they set up the world a test
starts from, they are not product code paths."""

import itertools
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from linli.core.crypto import blind_index
from linli.core.models import Community, Membership
from linli.demo.identifiers import make_id_number, make_phone
from linli.registry.models import Building, House, Occupancy, Person, Unit

_seq = itertools.count(1)


def user(username: str | None = None, *, password: str | None = None, phone: str = "", **extra):
    User = get_user_model()
    u = User(
        username=username or f"user{next(_seq)}",
        display_name=extra.pop("display_name", ""),
        **extra,
    )
    u.set_password(password) if password else u.set_unusable_password()
    if phone:
        u.set_phone(phone)
    u.save()
    return u


def community(code: str | None = None, name: str = "幸福里小区") -> Community:
    n = next(_seq)
    return Community.objects.create(name=name, code=code or f"c{n}", city="北京市", district="朝阳区")


def building(c: Community, name: str | None = None, floors: int = 18) -> Building:
    return Building.objects.create(community=c, name=name or f"{next(_seq)}号楼", floors=floors)


def unit(b: Building, name: str = "1单元") -> Unit:
    return Unit.objects.get_or_create(building=b, name=name)[0]


def house(
    u: Unit,
    number: str | None = None,
    floor: int = 3,
    area: str = "89.50",
    type: str = "residential",
):
    return House.objects.create(
        community_id=u.building.community_id,
        building=u.building,
        unit=u,
        number=number or f"{floor}{next(_seq):02d}",
        floor=floor,
        area=Decimal(area),
        type=type,
    )


def person(
    c: Community,
    name: str = "张三",
    *,
    id_number: str | None = None,
    phone: str | None = None,
    login=None,
    hukou_local: bool = True,
) -> Person:
    id_number = id_number if id_number is not None else make_id_number()
    phone = phone if phone is not None else make_phone()
    return Person.objects.create(
        community=c,
        name=name,
        id_number=id_number,
        id_number_bidx=blind_index("id_number", id_number) if id_number else None,
        phone=phone,
        phone_bidx=blind_index("phone", phone) if phone else None,
        user=login,
        hukou_local=hukou_local,
    )


def occupy(
    h: House,
    p: Person,
    relation: str = "owner",
    *,
    valid_from: date = date(2020, 1, 1),
    valid_to: date | None = None,
    sponsor: Occupancy | None = None,
) -> Occupancy:
    return Occupancy.objects.create(
        house=h,
        person=p,
        relation=relation,
        valid_from=valid_from,
        valid_to=valid_to,
        sponsor=sponsor,
    )


def staff(c: Community, role: str, username: str | None = None, **scope):
    u = user(username, display_name=username or role)
    Membership.objects.create(user=u, community=c, role=role, **scope)
    return u
