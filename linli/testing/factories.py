"""Test and demo builders. They write through the ORM directly: they set up the world a test
starts from, they are not product code paths."""

import itertools
import random
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from linli.core.crypto import blind_index
from linli.core.models import Community, Membership
from linli.registry.models import Building, House, Occupancy, Person, Unit
from linli.registry.validators import id_check_char

_seq = itertools.count(1)


def make_id_number(
    rng: random.Random | None = None,
    *,
    born: date | None = None,
    male: bool | None = None,
    area: str = "110105",
) -> str:
    rng = rng or random.Random()
    born = born or date(rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28))
    order = rng.randint(0, 99)
    sex_digit = rng.choice(
        [1, 3, 5, 7, 9] if (male if male is not None else rng.random() < 0.5) else [0, 2, 4, 6, 8]
    )
    first17 = f"{area}{born:%Y%m%d}{order:02d}{sex_digit}"
    return first17 + id_check_char(first17)


def make_phone(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


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
