"""Yuan strings on the wire ("223.75", Alipay and both trade bills) ↔ our integer fen."""

from decimal import Decimal, InvalidOperation


def fen_of(yuan: str) -> int:
    """Exact: a string with more than two decimals is not money and is refused."""
    try:
        value = Decimal(yuan.strip().lstrip("`").replace(",", "")) * 100
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {yuan!r}") from error
    if value != value.to_integral_value():
        raise ValueError(f"fraction of a fen: {yuan!r}")
    return int(value)


def yuan_of(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
