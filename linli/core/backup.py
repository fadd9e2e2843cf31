"""`linli backup`: the database and the key ring it was written under, as one dated set.

A dump alone is unreadable once the key that sealed its personal data is retired (rotate_keys
--retire), so every backup carries a copy of the key ring of its moment. The copy may go to
another directory (another disk, a mount only the backup user reads): the dump and the ring
together are what a thief needs, apart they are not. Everything is written with mode 600 in
directories of mode 700, whatever the umask.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils import timezone

from linli.core import crypto


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Backup:
    database: Path
    keyring: Path
    manifest: Path


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _private_file(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def _dump_sqlite(target: Path) -> None:
    # The backup API copies a consistent snapshot, WAL included, while linli keeps running.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _dump_postgresql(target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}  # never on the command line
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    old_umask = os.umask(0o077)  # pg_dump creates the file itself
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    finally:
        os.umask(old_umask)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    os.chmod(target, 0o600)


def make_backup(to: Path, keyring_to: Path | None = None) -> Backup:
    stamp = timezone.now().strftime("linli-%Y%m%dT%H%M%SZ")
    to = _private_dir(Path(to))
    ring_dir = _private_dir(Path(keyring_to)) if keyring_to else to
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {vendor} database")
    database = to / f"{stamp}.{'sqlite3' if vendor == 'sqlite' else 'dump'}"
    ring = crypto.keyring()
    # The ring first: a dump whose ring copy failed must not look like a complete backup.
    keyring = ring_dir / f"{stamp}.keyring.json"
    _private_file(keyring, json.dumps(ring.to_json(), indent=2))
    (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(database)
    manifest = to / f"{stamp}.manifest.json"
    _private_file(
        manifest,
        json.dumps(
            {
                "created_at": timezone.now().isoformat(),
                "database": database.name,
                "vendor": vendor,
                "keyring": str(keyring),
                "active_key": ring.active,
                "key_ids": sorted(ring.keys),
            },
            indent=2,
        ),
    )
    return Backup(database, keyring, manifest)
