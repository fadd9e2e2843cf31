"""Residents import: a person per ID number (found or created) and their relation to a house.

Checked like the services check one registration (ID number, phone, relation, lease dates, one
owner per house, no duplicate relation), and across the file: one ID number is one person,
so the same ID with two different names is an error, while the same person in two houses is
fine.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import blind_index
from linli.core.models import Community
from linli.registry.choices import Relation
from linli.registry.io import cells
from linli.registry.io.cells import CellError
from linli.registry.io.columns import HUKOU, RELATIONS
from linli.registry.io.houses import house_key
from linli.registry.io.report import RowErrors
from linli.registry.models import House, Occupancy, Person
from linli.registry.validators import clean_phone, parse_id_number

_FOREVER = date.max


@dataclass(frozen=True)
class IdNumber:
    """A checked ID number with what it encodes, and its blind index computed once."""

    number: str
    born: date
    gender: str
    bidx: str


def _id_number(value) -> IdNumber:
    number, born, gender = cells.via_service(parse_id_number, value)
    return IdNumber(number, born, gender, blind_index("id_number", number))


@dataclass
class Stay:
    """A relation to a house over a period, from the database (row 0) or from the file."""

    person: tuple
    relation: str
    start: date
    end: date | None
    row: int = 0

    def overlaps(self, start: date, end: date | None) -> bool:
        return self.start <= (end or _FOREVER) and start <= (self.end or _FOREVER)


@dataclass
class KnownPerson:
    """One person of the file or the database; `new` is the unsaved Person for a newcomer."""

    row: int  # the first row that named them; 0 when already in the database
    name: str
    pk: int | None = None
    user_id: int | None = None
    new: Person | None = None

    @property
    def saved_pk(self) -> int:
        """The row's id: existing people have one, newcomers once the import wrote them."""
        if self.pk is None:
            raise RuntimeError(f"row {self.row}: {self.name} is not written yet")
        return self.pk

    @property
    def identity(self) -> tuple:
        return ("db", self.pk) if self.pk else ("row", self.row)


class ResidentsPlan:
    def __init__(self, community: Community, *, registered_by):
        self.community = community
        self.registered_by = registered_by if getattr(registered_by, "pk", None) else None
        self.house_ids = {
            (b, u, n): pk
            for pk, b, u, n in House.objects.filter(community=community).values_list(
                "id", "building__name", "unit__name", "number"
            )
        }
        self.people: dict[str, KnownPerson] = {
            bidx: KnownPerson(0, name, pk, user_id)
            for pk, bidx, name, user_id in Person.objects.filter(
                community=community, id_number_bidx__isnull=False, erased_at__isnull=True
            ).values_list("id", "id_number_bidx", "name", "user_id")
        }
        self.stays: dict[int, list[Stay]] = {}
        current = Occupancy.objects.filter(house__community=community, ended_at__isnull=True)
        for house_id, person_id, relation, start, end in current.values_list(
            "house_id", "person_id", "relation", "valid_from", "valid_to"
        ):
            self.stays.setdefault(house_id, []).append(Stay(("db", person_id), relation, start, end))
        self.occupancies: list[tuple[int, KnownPerson, str, date, date | None]] = []

    def add(self, row: int, raw: dict, errors: RowErrors) -> None:
        key = house_key(raw, errors)
        name = errors.check("name", cells.required, raw["name"], 60)
        id_number = phone = None
        if cells.text(raw.get("id_number")):
            id_number = errors.check("id_number", _id_number, raw["id_number"])
        if cells.text(raw.get("phone")):
            phone = errors.check("phone", cells.via_service, clean_phone, raw["phone"])
        relation = errors.check(
            "relation",
            cells.choice,
            raw["relation"],
            RELATIONS,
            "invalid_relation",
            _("关系应为 业主、共有人、租客 或 家属"),
        )
        start = errors.check("valid_from", cells.day, raw["valid_from"])
        end = None
        if cells.text(raw.get("valid_to")):
            end = errors.check("valid_to", cells.day, raw["valid_to"])
        elif relation == Relation.TENANT:
            errors.add("valid_to", CellError("lease_end_required", _("登记租客必须填写租期截止日期")))
        if start and end and end < start:
            errors.add("valid_to", CellError("lease_ends_before_start", _("截止日期不能早于起始日期")))
        hukou_local = True
        if cells.text(raw.get("hukou")):
            hukou_local = errors.check(
                "hukou", cells.choice, raw["hukou"], HUKOU, "invalid_hukou", _("户籍应为 本地 或 外地")
            )

        house_id = self._house(key, errors) if key else None
        person = None
        if name and id_number:
            person = self._person(row, name, id_number, phone, hukou_local, errors)
        if errors.found:
            return
        if person is None:  # no ID number: nobody to match, a new person of their own
            person = KnownPerson(row, name, new=self._new_person(name, None, phone, hukou_local))
        if self._check_stay(row, house_id, person, relation, start, end, errors):
            self.occupancies.append((house_id, person, relation, start, end))

    def _house(self, key, errors: RowErrors) -> int | None:
        house_id = self.house_ids.get(key)
        if house_id is None:
            message = _("房屋不存在：%(house)s，请先导入房屋") % {"house": "-".join(key)}
            errors.add("number", CellError("unknown_house", message))
        return house_id

    def _person(
        self, row, name, id_number: IdNumber, phone, hukou_local, errors: RowErrors
    ) -> KnownPerson | None:
        known = self.people.get(id_number.bidx)
        if known is None:
            known = KnownPerson(row, name, new=self._new_person(name, id_number, phone, hukou_local))
            self.people[id_number.bidx] = known
        elif known.name != name:
            message = (
                _("该身份证号已登记为其他姓名的人员")
                if known.row == 0
                else _("与第 %(row)d 行身份证号相同但姓名不同") % {"row": known.row}
            )
            errors.add("id_number", CellError("duplicate_id_number", message))
            return None
        return known

    def _new_person(
        self, name: str, id_number: IdNumber | None, phone: str | None, hukou_local: bool
    ) -> Person:
        person = Person(community=self.community, name=name, hukou_local=hukou_local)
        if id_number:
            person.id_number, person.id_number_bidx = id_number.number, id_number.bidx
            person.birth_date, person.gender = id_number.born, id_number.gender
        if phone:
            person.phone = phone
            person.phone_bidx = blind_index("phone", phone)
        return person

    def _check_stay(self, row, house_id, person: KnownPerson, relation, start, end, errors) -> bool:
        """One owner per house at a time, and no person twice in the same relation (services rule)."""
        stays = self.stays.setdefault(house_id, [])
        for stay in stays:
            if not stay.overlaps(start, end):
                continue
            if relation == Relation.OWNER and stay.relation == Relation.OWNER:
                message = (
                    _("该房屋已有业主，如为共同产权请登记为共有人")
                    if stay.row == 0
                    else _("第 %(row)d 行已登记该房屋的业主，如为共同产权请登记为共有人") % {"row": stay.row}
                )
                errors.add("relation", CellError("house_has_owner", message))
                return False
            if stay.person == person.identity and stay.relation == relation:
                errors.add("relation", CellError("duplicate_occupancy", _("该人员在此期间已登记为同一关系")))
                return False
        stays.append(Stay(person.identity, relation, start, end, row))
        return True

    def newcomers(self) -> list[KnownPerson]:
        return list({id(p): p for _h, p, *_r in self.occupancies if p.pk is None}.values())

    def counts(self) -> dict[str, int]:
        existing = {p.pk for _h, p, *_r in self.occupancies if p.pk is not None}
        return {
            "people": len(self.newcomers()),
            "existing_people": len(existing),
            "occupancies": len(self.occupancies),
        }


def link_users(people: list[Person]) -> None:
    """A newcomer whose phone already signed in gets that login, as one registration would."""
    by_phone: dict[str, list[Person]] = {}
    for person in people:
        if person.phone_bidx:
            by_phone.setdefault(person.phone_bidx, []).append(person)
    phones = list(by_phone)
    User = get_user_model()
    for i in range(0, len(phones), 500):
        for bidx, user_id in User.objects.filter(phone_bidx__in=phones[i : i + 500]).values_list(
            "phone_bidx", "id"
        ):
            for person in by_phone[bidx]:
                person.user_id = user_id
