"""Valid-looking Chinese identifiers for demo, test and benchmark data: ID numbers, mobile
numbers, licence plates and unified social credit codes."""

import random
from datetime import date

from linli.registry.validators import id_check_char

# Plate letters never include I or O (they read as 1 and 0).
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "0123456789"

# GB 32100-2015: 18 characters from this alphabet, the last one a checksum.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def make_plate(rng: random.Random, province: str, issuers: str, *, new_energy: bool = False) -> str:
    """An ordinary plate (京A·12B45: at most two letters among the five) or a small new-energy
    plate (京A·D12345, D for electric, F for hybrids)."""
    head = province + rng.choice(issuers)
    if new_energy:
        return head + rng.choice("DF") + "".join(rng.choices(_DIGITS, k=5))
    body = rng.choices(_DIGITS, k=5)
    for position in rng.sample(range(5), k=rng.choice((0, 0, 1, 2))):
        body[position] = rng.choice(PLATE_LETTERS)
    return head + "".join(body)


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def make_credit_code(rng: random.Random, *, area: str, kind: str = "91") -> str:
    """kind 91 = company, 11 = government body, 52 = social organisation (登记管理部门 + 机构类别)."""
    organisation = "".join(rng.choices(_CREDIT_ALPHABET, k=9))
    first17 = kind + area + organisation
    return first17 + credit_check_char(first17)


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
