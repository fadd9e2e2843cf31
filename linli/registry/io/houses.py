"""Houses import: 楼栋/单元/房号/楼层/类型/建筑面积. Buildings and units are created as needed."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from linli.core.models import Community
from linli.registry.choices import HouseType
from linli.registry.io import cells
from linli.registry.io.cells import CellError
from linli.registry.io.columns import HOUSE_TYPES
from linli.registry.io.report import RowErrors
from linli.registry.models import Building, House, Unit

BATCH = 2000
HouseKey = tuple[str, str, str]  # (building name, unit name, number) as written in the file


def house_key(raw: dict, errors: RowErrors) -> HouseKey | None:
    building = errors.check("building", cells.required, raw["building"], 40)
    unit = errors.check("unit", cells.required, raw["unit"], 40)
    number = errors.check("number", cells.required, raw["number"], 20)
    if building is None or unit is None or number is None:
        return None
    return building, unit, number


@dataclass
class NewHouse:
    key: HouseKey
    floor: int
    type: str
    area: Decimal


class HousesPlan:
    """Checks rows against the file so far and the database, then writes them in bulk."""

    def __init__(self, community: Community):
        self.community = community
        self.building_ids = dict(Building.objects.filter(community=community).values_list("name", "id"))
        self.unit_ids = {
            (b, u): uid
            for uid, b, u in Unit.objects.filter(building__community=community).values_list(
                "id", "building__name", "name"
            )
        }
        self.existing = set(
            House.objects.filter(community=community).values_list("building__name", "unit__name", "number")
        )
        self.seen: dict[HouseKey, int] = {}
        self.houses: list[NewHouse] = []

    def add(self, row: int, raw: dict, errors: RowErrors) -> None:
        key = house_key(raw, errors)
        floor = errors.check(
            "floor",
            cells.integer,
            raw["floor"],
            -10,
            200,
            "invalid_floor",
            _("楼层应为 -10 到 200 之间的整数"),
        )
        type_ = HouseType.RESIDENTIAL
        if cells.text(raw.get("type")):
            type_ = errors.check(
                "type",
                cells.choice,
                raw["type"],
                HOUSE_TYPES,
                "invalid_house_type",
                _("房屋类型应为 住宅、商铺、车位 或 储藏室"),
            )
        area = errors.check("area", cells.area, raw["area"])
        if key is not None:
            self._check_unique(row, key, errors)
        if not errors.found:
            self.houses.append(NewHouse(key, floor, type_, area))

    def _check_unique(self, row: int, key: HouseKey, errors: RowErrors) -> None:
        if key in self.existing:
            errors.add("number", CellError("duplicate_house", _("该房号已存在")))
        elif key in self.seen:
            errors.add(
                "number",
                CellError("duplicate_house", _("与第 %(row)d 行的房号重复") % {"row": self.seen[key]}),
            )
        else:
            self.seen[key] = row

    def counts(self) -> dict[str, int]:
        new_buildings = {h.key[0] for h in self.houses} - set(self.building_ids)
        new_units = {h.key[:2] for h in self.houses} - set(self.unit_ids)
        return {"buildings": len(new_buildings), "units": len(new_units), "houses": len(self.houses)}
