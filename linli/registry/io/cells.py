"""Turning spreadsheet cells (str, int, float, datetime from xlsx; str from csv) into values.

Each function raises CellError with a stable code and a Chinese message; the caller pins it to
the row and column.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError
from linli.registry.services import clean_area


class CellError(Exception):
    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message

    @classmethod
    def of(cls, error: ServiceError) -> "CellError":
        return cls(error.code, error.message)


_BLANKS = " \t\r\n\u3000\ufeff"
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def text(value) -> str:
    """The cell as text. Whole numbers lose Excel's ".0" (房号 101 typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(_BLANKS)


def ascii_text(value) -> str:
    """Full-width digits and letters (１１０…Ｘ, common from Chinese IMEs) become ASCII."""
    return unicodedata.normalize("NFKC", text(value))


def required(value, max_length: int) -> str:
    result = text(value)
    if not result:
        raise CellError("required", _("此项必填"))
    if len(result) > max_length:
        raise CellError("too_long", _("内容过长，最多 %(max)d 个字") % {"max": max_length})
    return result


def integer(value, low: int, high: int, code: str, message) -> int:
    raw = ascii_text(value)
    if not re.fullmatch(r"-?\d{1,6}", raw) or not low <= int(raw) <= high:
        raise CellError(code, message)
    return int(raw)


def via_service(check, value):
    """Runs one of the services' validators on the cell; its ServiceError becomes a CellError."""
    try:
        return check(ascii_text(value))
    except ServiceError as exc:
        raise CellError.of(exc) from None


def area(value) -> Decimal:
    if isinstance(value, float):
        value = round(value, 9)  # a computed cell's binary noise (89.55000000000001)
    raw = ascii_text(value)
    if not _NUMBER.fullmatch(raw):
        raise CellError("invalid_area", _("建筑面积必须是数字"))
    result = via_service(clean_area, raw)
    if Decimal(raw) != result:
        raise CellError("invalid_area", _("建筑面积最多保留两位小数"))
    return result


def day(value) -> date:
    """A date cell, or text as YYYY-MM-DD (also YYYY/MM/DD as Excel shows it in China)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    bad = CellError("invalid_date", _("日期格式应为 YYYY-MM-DD，例如 2024-03-01"))
    if not isinstance(value, str):
        raise bad
    match = _DATE.fullmatch(ascii_text(value))
    if not match:
        raise bad
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise bad from None


def choice(value, lookup: dict, code: str, message):
    raw = text(value)
    if raw not in lookup:
        raise CellError(code, message)
    return lookup[raw]
