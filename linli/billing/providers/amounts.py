"""Yuan strings on the wire ("223.75", Alipay and both trade bills) ↔ our integer fen."""

import re
from decimal import Decimal

# ASCII digits with at most two decimals: Decimal alone would also take "Infinity", "1e9",
# full-width or Arabic-Indic digits, and a fraction of a fen.
YUAN = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")


def fen_of(yuan: str) -> int:
    """Exact: anything but plain yuan with at most two decimals is not money and is refused."""
    text = yuan.strip().lstrip("`").replace(",", "")
    if not YUAN.fullmatch(text):
        raise ValueError(f"not an amount: {yuan!r}")
    return int(Decimal(text) * 100)


def yuan_of(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
