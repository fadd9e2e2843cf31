"""`linli backup`: the database, the uploads and the key ring, as one archive sealed with a passphrase.

A dump alone is unreadable once the key that sealed its personal data is retired (rotate_keys
--retire), so every archive carries the key ring of its moment. The ring may travel inside the
archive because the archive is encrypted: what must be kept apart from the archives now is the
passphrase, not the ring. The archive is a tar stream (manifest.json, keyring.json, the database,
media/) sealed by linli.core.sealed_stream; the format is in docs/operations.md.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, cast

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import crypto
from linli.core.errors import ServiceError
from linli.core.sealed_stream import SealingWriter

ARCHIVE_SUFFIX = ".linlibackup"
MANIFEST_FORMAT = 1
PASSPHRASE_ENV = "LINLI_BACKUP_PASSPHRASE"
# Long enough that scrypt's cost, not the passphrase, is what an attacker with an archive faces.
MIN_PASSPHRASE = 12


class BackupError(ServiceError):
    pass


@dataclass(frozen=True)
class Backup:
    archive: Path
    manifest: dict


def media_root() -> Path:
    """Every app's uploads live under VAR_DIR/media (workorders, engage, dashboards)."""
    return Path(settings.VAR_DIR) / "media"


def database_member(vendor: str) -> str:
    return "database.sqlite3" if vendor == "sqlite" else "database.dump"


def read_passphrase(file: Path | None, *, new: bool) -> bytes:
    """From --passphrase-file or LINLI_BACKUP_PASSPHRASE, never the command line (where `ps` and
    the shell's history would show it). One trailing newline of the file is not part of it."""
    if file is not None:
        try:
            text = Path(file).read_text().removesuffix("\n").removesuffix("\r")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(
                "backup_no_passphrase", _("无法读取口令文件：%(error)s") % {"error": exc}
            ) from None
    else:
        text = os.environ.get(PASSPHRASE_ENV, "")
    if not text:
        raise BackupError(
            "backup_no_passphrase",
            _("需要备份口令：设置环境变量 %(env)s，或用 --passphrase-file 指定口令文件")
            % {"env": PASSPHRASE_ENV},
        )
    if new and len(text) < MIN_PASSPHRASE:
        raise BackupError("backup_weak_passphrase", _("备份口令至少 %(n)d 个字符") % {"n": MIN_PASSPHRASE})
    return text.encode()


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _dump_sqlite(target: Path) -> None:
    # One step of the backup API copies a consistent snapshot (the WAL included) under a read
    # transaction, which in WAL mode blocks no writer: linli keeps serving meanwhile.
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def pg_client(program: str) -> str:
    if shutil.which(program) is None:
        raise BackupError(
            "backup_no_pg_client",
            _("未安装 %(program)s（apt-get install postgresql-client）") % {"program": program},
        )
    return program


def pg_command(program: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """A PostgreSQL client's command line for the configured database, and its environment: the
    password goes through the environment, never the command line."""
    db = connection.settings_dict
    command = [pg_client(program), *args, "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    return command, {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}


def _dump_postgresql(target: Path) -> None:
    command, env = pg_command("pg_dump", "--format=custom", "--no-owner", f"--file={target}")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError("backup_failed", _("pg_dump 失败：%(error)s") % {"error": done.stderr.strip()})


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, BytesIO(data))


def _manifest(vendor: str, ring: crypto.KeyRing, media: Path) -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database": database_member(vendor),
        # A restore refuses a backup whose schema this code does not know (made by a newer release).
        "migrations": sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
        ),
        "active_key": ring.active,
        "key_ids": sorted(ring.keys),
        "media_files": sum(1 for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0,
    }


def make_backup(to: Path, passphrase: bytes) -> Backup:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError("backup_failed", _("无法备份 %(vendor)s 数据库") % {"vendor": vendor})
    to = _private_dir(Path(to))
    archive = to / timezone.now().strftime(f"linli-%Y%m%dT%H%M%SZ{ARCHIVE_SUFFIX}")
    partial = archive.with_name(archive.name + ".partial")  # never mistaken for a complete backup
    ring, media = crypto.keyring(), media_root()
    # The plain dump waits in a directory of mode 700 beside the archives, for as short as the
    # archive takes to write; a crash in between leaves it there (docs/operations.md).
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=to))
    try:
        manifest = _manifest(vendor, ring, media)
        dump = staging / manifest["database"]
        (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(dump)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            sealed = SealingWriter(out, passphrase)
            # A stream ("w|"): tarfile only writes to it, never seeks, whatever its type says.
            with tarfile.open(fileobj=cast(IO[bytes], sealed), mode="w|") as tar:
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
                _add_bytes(tar, "keyring.json", json.dumps(ring.to_json(), indent=2).encode())
                tar.add(dump, arcname=manifest["database"])
                if media.is_dir():
                    tar.add(media, arcname="media")
            sealed.close()
            os.fsync(out.fileno())
        os.replace(partial, archive)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        partial.unlink(missing_ok=True)
    return Backup(archive, manifest)
