"""Keyed digests of card numbers and PINs. The keys derive from the key ring's index key, which
lives outside the database, so a copy of the database alone reveals no card and no PIN.

- Card: HMAC-SHA256 with a per-community card key. Server lookup and terminal verifier are the
  same digest; the card key is in the terminal's snapshot (a card's number is no secret from a
  reader anyway — it broadcasts it).
- PIN (房号 + 6 digits): the server finds it by HMAC with a key that never leaves the server
  (fast, for the hot path). Terminals get an scrypt digest salted per community and house, so a
  stolen terminal yields its PINs only by brute force at scrypt cost.
"""

import hashlib
import hmac
import re
import secrets

from django.utils.translation import gettext_lazy as _

from linli.core.crypto import keyring
from linli.core.errors import ServiceError

_CARD = re.compile(r"^[0-9A-F]{4,32}$")
_PIN = re.compile(r"^\d{6}$")
PIN_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 16}


def _derived(purpose: str, community_id: int) -> bytes:
    return hmac.new(keyring().index_key, f"access:{purpose}:{community_id}".encode(), hashlib.sha256).digest()


def clean_card(raw: str) -> str:
    number = re.sub(r"[\s:\-]", "", raw or "").upper()
    if not _CARD.match(number):
        raise ServiceError(
            "invalid_card", _("卡号格式不正确"), fields={"card": _("应为4到32位数字或十六进制字符")}
        )
    return number


def clean_pin(raw: str) -> str:
    if not isinstance(raw, str) or not _PIN.match(raw):
        raise ServiceError("invalid_pin", _("密码应为6位数字"), fields={"pin": _("6位数字")})
    return raw


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def card_key(community_id: int) -> bytes:
    return _derived("card", community_id)


def card_digest(community_id: int, number: str) -> str:
    return hmac.new(card_key(community_id), number.encode(), hashlib.sha256).hexdigest()


def pin_lookup(community_id: int, house_id: int, pin: str) -> str:
    key = _derived("pin-lookup", community_id)
    return hmac.new(key, f"{house_id}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_salt(community_id: int) -> bytes:
    return _derived("pin-salt", community_id)


def pin_verifier(salt: bytes, house_id: int, pin: str) -> str:
    """What a terminal recomputes from the typed room and PIN (docs/terminals.md)."""
    return hashlib.scrypt(pin.encode(), salt=salt + f":{house_id}".encode(), **PIN_SCRYPT).hex()
