"""Encryption at rest (AES-256-GCM) and blind indexes (HMAC-SHA256) for personal data.

Ciphertext format: "<key id>:<base64(nonce ‖ ciphertext ‖ tag)>". The field's identity
(model label and field name) is bound as associated data, so a ciphertext copied into
another column does not decrypt.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models


class KeyRingError(Exception):
    pass


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, bytes]
    index_key: bytes

    @classmethod
    def from_json(cls, data: dict) -> "KeyRing":
        keys = {kid: base64.b64decode(value) for kid, value in data["keys"].items()}
        if data["active"] not in keys:
            raise KeyRingError(f"active key {data['active']!r} is not in the key ring")
        if any(len(key) != 32 for key in keys.values()):
            raise KeyRingError("every key must be 32 bytes (AES-256)")
        return cls(active=data["active"], keys=keys, index_key=base64.b64decode(data["index_key"]))

    def to_json(self) -> dict:
        return {
            "active": self.active,
            "keys": {kid: base64.b64encode(key).decode() for kid, key in self.keys.items()},
            "index_key": base64.b64encode(self.index_key).decode(),
        }


_lock = threading.Lock()
_ring: KeyRing | None = None


def keyring() -> KeyRing:
    global _ring
    if _ring is None:
        with _lock:
            if _ring is None:
                _ring = load_keyring(settings.LINLI_KEYRING)
    return _ring


def load_keyring(source: str) -> KeyRing:
    text = source if source.lstrip().startswith("{") else Path(source).read_text()
    return KeyRing.from_json(json.loads(text))


def reset_keyring_cache() -> None:
    global _ring
    _ring = None


def encrypt(plaintext: str, aad: str) -> str:
    ring = keyring()
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys[ring.active]).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{ring.active}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, aad: str) -> str:
    kid, _, body = token.partition(":")
    key = keyring().keys.get(kid)
    if key is None:
        raise KeyRingError(f"key {kid!r} is not in the key ring")
    raw = base64.b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], aad.encode()).decode()
    except InvalidTag as exc:
        raise KeyRingError(f"ciphertext does not authenticate for {aad}") from exc


def key_id_of(token: str) -> str:
    return token.partition(":")[0]


def _normalize_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


_NORMALIZERS = {
    "phone": _normalize_phone,
    "id_number": lambda v: v.strip().upper(),
    "plate": lambda v: re.sub(r"[\s·.\-]", "", v).upper(),
    "chat_userid": lambda v: v.strip(),  # a WeCom or DingTalk user id, case as the corp gave it
    "openid": str.strip,  # WeChat's openids are case-sensitive
}


def normalize(kind: str, value: str) -> str:
    return _NORMALIZERS[kind](value)


def blind_index(kind: str, value: str) -> str:
    """Deterministic keyed digest for exact-match lookup without storing the value."""
    message = f"{kind}:{normalize(kind, value)}".encode()
    return hmac.new(keyring().index_key, message, hashlib.sha256).hexdigest()[:32]


class EncryptedTextField(models.TextField):
    """Stores text encrypted; reads give plaintext. Never filter on it: use its blind index."""

    def aad(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, self.aad())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value, self.aad())
