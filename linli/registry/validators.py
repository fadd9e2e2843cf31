"""Chinese identity data: resident ID numbers (GB 11643-1999), mobile numbers, plates."""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from linli.core.crypto import normalize
from linli.core.errors import ServiceError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE = re.compile(r"^1[3-9]\d{9}$")
# Province abbreviation + letter + 5 (ordinary) or 6 (new energy) characters.
_PLATE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$"
)


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str, field: str = "id_number") -> tuple[str, date, str]:
    """Returns (normalised number, birth date, gender 'M'/'F') or raises a ServiceError."""
    number = normalize("id_number", raw)
    bad = ServiceError(
        "invalid_id_number", _("身份证号格式不正确"), fields={field: _("应为18位有效身份证号")}
    )
    if not re.fullmatch(r"\d{17}[\dX]", number) or id_check_char(number[:17]) != number[17]:
        raise bad
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise bad from None
    if born > date.today() or born.year < 1900:
        raise bad
    return number, born, "M" if int(number[16]) % 2 else "F"


def clean_phone(raw: str, field: str = "phone") -> str:
    phone = normalize("phone", raw)
    if not _PHONE.match(phone):
        raise ServiceError(
            "invalid_phone", _("手机号格式不正确"), fields={field: _("应为11位中国大陆手机号")}
        )
    return phone


def clean_plate(raw: str, field: str = "plate") -> str:
    plate = normalize("plate", raw)
    if not _PLATE.match(plate):
        raise ServiceError(
            "invalid_plate", _("车牌号格式不正确"), fields={field: _("例如 京A12345 或 沪AD12345")}
        )
    return plate
