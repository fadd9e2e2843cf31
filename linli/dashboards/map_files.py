"""Where plan images live: under VAR_DIR/media/dashboards/<community>/, named by a random token,
served only by pages and operations that checked who asks (like work order attachments)."""

import secrets
from pathlib import Path

from django.conf import settings


def media_root() -> Path:
    return Path(settings.VAR_DIR) / "media" / "dashboards"


def store(community_id: int, content: bytes, suffix: str) -> str:
    name = f"{community_id}/{secrets.token_hex(16)}.{suffix}"
    path = media_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return name


def read(name: str) -> bytes | None:
    try:
        return (media_root() / name).read_bytes() if name else None
    except FileNotFoundError:
        return None


def forget(name: str) -> None:
    if name:
        (media_root() / name).unlink(missing_ok=True)
