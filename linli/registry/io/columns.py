"""The spreadsheet layout of each import kind: Chinese headers, English keys, sample rows.

Choice labels are taken from the msgids (the Chinese source text), not from the active language,
so a file reads the same whether the request came in Chinese or English.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError
from linli.registry.choices import HouseType, Relation


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str  # how to fill it in, shown in the template's 填写说明 sheet
    aliases: tuple[str, ...] = ()  # other headers seen in files from older systems


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    sample: tuple
    label: object

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


HOUSES = Kind(
    "houses",
    (
        Column("building", "楼栋", True, "楼栋名称，如 1号楼；系统中没有时自动创建", ("楼号",)),
        Column("unit", "单元", True, "单元名称，如 1单元；系统中没有时自动创建"),
        Column(
            "number", "房号", True, "如 101；同一单元内不能重复，也不能与已有房屋重复", ("房间号", "门牌号")
        ),
        Column("floor", "楼层", True, "整数，地下层用负数，如 -1"),
        Column("type", "类型", False, "住宅、商铺、车位 或 储藏室；留空为住宅"),
        Column("area", "建筑面积", True, "单位㎡，大于0，最多两位小数，如 89.50", ("面积",)),
    ),
    ("1号楼", "1单元", "101", 1, "住宅", Decimal("89.50")),
    _("房屋"),
)
RESIDENTS = Kind(
    "residents",
    (
        Column("building", "楼栋", True, "须为系统中已有的房屋（先导入房屋）", ("楼号",)),
        Column("unit", "单元", True, "同上"),
        Column("number", "房号", True, "同上", ("房间号", "门牌号")),
        Column("name", "姓名", True, "1到60个字"),
        Column(
            "id_number",
            "身份证号",
            False,
            "18位身份证号；同一身份证号即同一人，可登记在多套房屋",
            ("身份证号码", "证件号码"),
        ),
        Column("phone", "手机号", False, "11位手机号", ("手机号码", "联系电话")),
        Column("relation", "关系", True, "业主、共有人、租客 或 家属；每套房屋同一时间只有一位业主"),
        Column("valid_from", "起始日期", True, "YYYY-MM-DD，如 2020-01-01", ("开始日期", "入住日期")),
        Column(
            "valid_to", "截止日期", False, "租客必填（租期截止）；不早于起始日期", ("结束日期", "租期截止")
        ),
        Column("hukou", "户籍", False, "本地 或 外地；留空为本地"),
    ),
    ("1号楼", "1单元", "101", "张三", "11010519491231002X", "13800138000", "业主", "2020-01-01", "", "本地"),
    _("住户"),
)
KINDS = {k.name: k for k in (HOUSES, RESIDENTS)}


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise ServiceError(
            "invalid_kind", _("类型应为 houses（房屋）或 residents（住户）"), fields={"kind": name}
        )
    return KINDS[name]


HUKOU_LABELS = {True: "本地", False: "外地"}


def source_labels(choices) -> dict[str, str]:
    """value -> Chinese label, whatever language is active."""
    with translation.override(None):
        return {value: str(label) for value, label in choices.choices}


HOUSE_TYPE_LABELS = source_labels(HouseType)
RELATION_LABELS = source_labels(Relation)


def choice_lookup(labels: dict[str, str]) -> dict[str, str]:
    """Accepts the Chinese label or the stored value (for files written by other systems)."""
    return {**{label: value for value, label in labels.items()}, **{value: value for value in labels}}


HOUSE_TYPES = choice_lookup(HOUSE_TYPE_LABELS)
RELATIONS = choice_lookup(RELATION_LABELS)
HUKOU = {"本地": True, "外地": False, "local": True, "non_local": False}

_DECORATION = re.compile(r"[*＊\s]|[（(][^)）]*[)）]$")


def header_key(kind: Kind, cell) -> str | None:
    """Maps a header cell to a column key: "建筑面积(㎡)", "*姓名" and "Name" all match."""
    text = _DECORATION.sub("", str(cell if cell is not None else "")).lower()
    for column in kind.columns:
        if text == column.header or text == column.key or text in column.aliases:
            return column.key
    return None
