"""Local secrets for the embedded default: created once in var/, never committed.

Imported by settings, so it must not import Django.
"""

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalSecrets:
    secret_key: str
    keyring_path: Path


def new_key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def new_key_id() -> str:
    return "k" + secrets.token_hex(4)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def ensure_local_secrets(var_dir: Path) -> LocalSecrets:
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "secret_key"
    ring_file = var_dir / "keyring.json"
    for path, make in (
        (key_file, lambda: secrets.token_urlsafe(50)),
        (ring_file, lambda: json.dumps(new_keyring(), indent=2)),
    ):
        if not path.exists():
            try:
                _write_private(path, make())
            except FileExistsError:
                pass  # another process created it first; use theirs
    return LocalSecrets(secret_key=key_file.read_text().strip(), keyring_path=ring_file)


def new_keyring() -> dict:
    kid = new_key_id()
    return {"active": kid, "keys": {kid: new_key_b64()}, "index_key": new_key_b64()}


def ensure_secret_file(path: Path, make) -> str:
    """A secret generated once into var/ (mode 600) and read back: the sandbox payment
    provider's keys (linli.billing.providers.sandbox) live here like the key ring."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        try:
            _write_private(path, make())
        except FileExistsError:
            pass  # another process created it first; use theirs
    return path.read_text()
