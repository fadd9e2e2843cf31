"""An amount of money from a person, read one way everywhere: whole fen, or refused with the
code `invalid_amount` and a Chinese message that says what is wrong.

Two ways in, one rule behind them:
- `fen(value)`: what an API client sends, in fen: a JSON integer (a float only when nothing
  follows the point) or a string of digits. The API's `schemas.Fen` passes the value on as sent,
  so a bad one meets the same check, code and message as a page, not a generic 422;
- `fen_from_yuan(text)`: what a person types into a form, in 元: "12", "12.3", "12.30",
  "１２.３０", "¥1,234.50", " 12.30 元 " — at most two decimals.

Both refuse a negative, zero (unless the caller allows it: a count of an empty drawer, a deposit
kept whole), and more than `MAX_FEN`. Money from a provider's servers is not typed by a person
and is read elsewhere (`providers/amounts.py`).
"""

import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError

CODE = "invalid_amount"
# 1000万元: above any fee, deposit or shared-area total of a large community, still refusing a
# figure typed with a few digits too many.
MAX_FEN = 10**9
FEN_DIGITS = len(str(MAX_FEN))  # the longest digit string the API's Fen publishes

# What is wrong, said the same way by every endpoint and page.
EMPTY = _("请填写金额")
NOT_FEN = _("金额应为整数，单位为分（例如 22375）")
NOT_YUAN = _("金额应为数字，单位为元（例如 223.75）")
FRACTION_OF_FEN = _("金额最多两位小数（精确到分）")
NEGATIVE = _("金额不能为负数")
ZERO = _("金额必须大于零")
TOO_LARGE = _("金额不能超过 1000 万元")

_DIGITS = re.compile(r"[0-9]+")
# After NFKC (full-width digits, ￥ and spaces read as ASCII): an optional minus (before or after
# the ¥), thousands grouped by commas or not, decimals, an optional 元. Only ASCII digits: \d
# would also take digits of other scripts, which int() reads.
_YUAN = re.compile(
    r"(?P<minus>-?)\s*(?:¥\s*)?(?P<minus_after_sign>-?)\s*"
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<decimals>[0-9]+))?\s*(?:元)?"
)


def _refuse(message, field: str) -> ServiceError:
    return ServiceError(CODE, message, fields={field: message})


def _bounded(amount: int, field: str, allow_zero: bool) -> int:
    if amount < 0:
        raise _refuse(NEGATIVE, field)
    if amount == 0 and not allow_zero:
        raise _refuse(ZERO, field)
    if amount > MAX_FEN:
        raise _refuse(TOO_LARGE, field)
    return amount


def fen(value: object, *, field: str = "amount_fen", allow_zero: bool = False) -> int:
    """An amount in fen as an API client (or our own code) gives it, as an int."""
    if value is None or value == "":
        raise _refuse(EMPTY, field)
    if isinstance(value, bool):  # an int to Python, never money
        raise _refuse(NOT_FEN, field)
    if isinstance(value, int):
        return _bounded(value, field, allow_zero)
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise _refuse(NOT_FEN, field)
        if len(value) > FEN_DIGITS:  # before int(): a thousand digits are not worth reading
            raise _refuse(TOO_LARGE, field)
        return _bounded(int(value), field, allow_zero)
    if isinstance(value, float | Decimal):
        exact = Decimal(value)  # a float's exact value: 0.1 + 0.2 is not 0.3 fen
        if not exact.is_finite():
            raise _refuse(NOT_FEN, field)
        if exact < 0:
            raise _refuse(NEGATIVE, field)
        if exact != exact.to_integral_value():
            raise _refuse(NOT_FEN, field)
        return _bounded(int(exact), field, allow_zero)
    raise _refuse(NOT_FEN, field)


def fen_from_yuan(text: object, *, field: str = "amount", allow_zero: bool = False) -> int:
    """An amount in 元 as a person typed it, as whole fen."""
    if text is None:
        raise _refuse(EMPTY, field)
    if not isinstance(text, str):
        raise _refuse(NOT_YUAN, field)
    plain = unicodedata.normalize("NFKC", text).strip()
    if not plain:
        raise _refuse(EMPTY, field)
    match = _YUAN.fullmatch(plain)
    if match is None or (match["minus"] and match["minus_after_sign"]):
        raise _refuse(NOT_YUAN, field)
    decimals = match["decimals"] or ""
    if len(decimals) > 2:
        raise _refuse(FRACTION_OF_FEN, field)
    digits = (match["whole"].replace(",", "") + decimals.ljust(2, "0")).lstrip("0") or "0"
    if (match["minus"] or match["minus_after_sign"]) and digits != "0":
        raise _refuse(NEGATIVE, field)
    if len(digits) > FEN_DIGITS:  # before int(), as in fen()
        raise _refuse(TOO_LARGE, field)
    return _bounded(int(digits), field, allow_zero)
