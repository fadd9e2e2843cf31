"""`linli restore`: an archive of `linli backup` back into this installation.

The whole archive is decrypted and verified into a staging directory first (inside VAR_DIR, so
the uploads move into place by a rename); a wrong passphrase, a damaged or cut-off file, a backup
of the other database engine or of a newer release are refused before anything live is touched.
Then the key ring (see `restore`), the database, the uploads. Migrations are the command's last step.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import crypto, keyrotation
from linli.core.backup import MANIFEST_FORMAT, BackupError, media_root, pg_client, pg_command
from linli.core.crypto import KeyRing
from linli.core.sealed_stream import CHUNK_SIZE, Damaged, OpeningReader, WrongPassphrase


@dataclass(frozen=True)
class Restored:
    manifest: dict
    ring: str  # what happened to the key ring, for the operator
    media_set_aside: Path | None


@contextmanager
def _opened(archive: Path, passphrase: bytes):
    """The archive's plaintext as a verified stream; every failure as a BackupError."""
    try:
        with open(archive, "rb") as source:
            yield OpeningReader(source, passphrase)
    except WrongPassphrase:
        raise BackupError(
            "backup_wrong_passphrase", _("备份口令不正确（或文件头已损坏），未恢复任何内容")
        ) from None
    except (Damaged, tarfile.TarError, ValueError, KeyError) as exc:
        raise BackupError(
            "backup_damaged",
            _("备份文件已损坏或被改动（%(detail)s），未恢复任何内容") % {"detail": exc},
        ) from None
    except OSError as exc:
        raise BackupError("backup_io_error", _("读取或解开备份时出错：%(error)s") % {"error": exc}) from None


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    content = tar.extractfile(first) if first is not None and first.name == "manifest.json" else None
    if content is None:
        raise Damaged("the archive does not begin with its manifest")
    manifest = json.load(content)
    if manifest.get("format") != MANIFEST_FORMAT:
        raise Damaged(f"unknown manifest format {manifest.get('format')!r}")
    return manifest


def check_archive(archive: Path, passphrase: bytes) -> dict:
    """Decrypts and verifies the whole archive, writing nothing; returns its manifest."""
    with _opened(archive, passphrase) as reader:
        manifest = _read_manifest(tarfile.open(fileobj=reader, mode="r|"))
        while reader.read(CHUNK_SIZE):
            pass
        reader.finish()
    return manifest


def unpack(archive: Path, passphrase: bytes, into: Path) -> dict:
    with _opened(archive, passphrase) as reader:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            manifest = _read_manifest(tar)
            expected = {"keyring.json", manifest["database"]}
            while (member := tar.next()) is not None:  # a stream: no going back to the manifest
                if member.name not in expected and member.name.split("/")[0] != "media":
                    raise Damaged(f"unexpected member {member.name!r}")
                # "data": no absolute paths, no links out of the staging directory, no devices.
                tar.extract(member, into, filter="data")
        reader.finish()
    return manifest


def _refuse_foreign(manifest: dict) -> None:
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            "restore_wrong_database",
            _("这是 %(theirs)s 数据库的备份，当前配置的是 %(ours)s，未恢复任何内容")
            % {"theirs": manifest["vendor"], "ours": vendor},
        )
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    newer = sorted(set(manifest["migrations"]) - known)
    if newer:
        raise BackupError(
            "restore_newer_backup",
            _("备份来自更新的版本（未知的数据库迁移：%(names)s），请先升级 linli，未恢复任何内容")
            % {"names": ", ".join(newer[:5])},
        )


@dataclass(frozen=True)
class RingPlan:
    ring: KeyRing | None  # None: the current ring holds every key already
    replaces: bool  # True: another installation's ring gives way to the backup's
    note: str


def _ring_plan(theirs: KeyRing) -> RingPlan:
    """What becomes of the key ring, and what that means for the operator.

    The same index key means the current ring belongs to this installation: it keeps its active
    key (it may be newer than the backup) and gains the backup's keys it lacks, as after a key
    retirement. Another index key (a new machine's generated ring) cannot find anything in the
    restored database's blind indexes: the backup's ring replaces it, the old one set aside."""
    source = settings.LINLI_KEYRING
    inline = source.lstrip().startswith("{")
    try:
        ours = crypto.load_keyring(source)
    except FileNotFoundError:
        ours = None
    if ours is not None and ours.index_key == theirs.index_key:
        clash = [kid for kid in theirs.keys if kid in ours.keys and ours.keys[kid] != theirs.keys[kid]]
        if clash:
            raise BackupError(
                "restore_key_clash",
                _("密钥环与备份中同名密钥内容不同（%(ids)s），未恢复任何内容") % {"ids": ", ".join(clash)},
            )
        missing = sorted(set(theirs.keys) - set(ours.keys))
        if not missing:
            return RingPlan(None, False, _("密钥环已含备份的全部密钥，未改动"))
        merged = KeyRing(active=ours.active, keys={**theirs.keys, **ours.keys}, index_key=ours.index_key)
        plan = RingPlan(merged, False, _("密钥环补入备份中的密钥：%(ids)s") % {"ids": ", ".join(missing)})
    else:
        plan = RingPlan(theirs, True, _("密钥环换为备份中的密钥环（原密钥环另存）"))
    if inline:
        raise BackupError(
            "restore_inline_ring",
            _("LINLI_KEYRING 是内联 JSON，无法写入备份的密钥；请改用密钥环文件，未恢复任何内容"),
        )
    return plan


def _write_ring(plan: KeyRing, stamp: str) -> None:
    path = Path(settings.LINLI_KEYRING)
    if path.exists():
        current = crypto.load_keyring(str(path))
        if current.index_key != plan.index_key:  # a replaced ring is set aside, never deleted
            aside = path.with_name(f"{path.name}.replaced-{stamp}")
            fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(current.to_json(), fh, indent=2)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyrotation.write_ring(path, plan)


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_sqlite(dump: Path) -> None:
    # Through the backup API, not a file copy: the live file's -wal and -shm stay consistent
    # with it, and a connection still open elsewhere sees the restored pages, not a stale copy.
    live = connection.settings_dict["NAME"]
    connection.close()
    source, target = sqlite3.connect(dump), sqlite3.connect(live, timeout=20)
    try:
        source.backup(target)  # a source that is no database fails before a page is written
    except sqlite3.DatabaseError as exc:
        raise _restore_failed(str(exc)) from None
    finally:
        source.close()
        target.close()
    os.chmod(live, 0o600)  # personal data: as install.md sets it, whatever the umask made it


# The migrations' trigger functions (the outbox's NOTIFY, the access events' uuid check) outlive
# their tables: the dump creates them again, so those of the database replaced go too, all of
# its schema's but an extension's.
DROP_OWN_FUNCTIONS = """DO $$ DECLARE f regprocedure; BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP EXECUTE format('DROP FUNCTION %s CASCADE', f); END LOOP;
END $$"""


def _restore_postgresql(dump: Path) -> None:
    # pg_restore writes the SQL first (beside the dump, in the staging directory): only a complete
    # script may reach psql, which runs it, after the drop of what is there (with --force), as one
    # transaction. A failure anywhere leaves the database as it was.
    script = dump.with_suffix(".sql")
    written = subprocess.run(
        [pg_client("pg_restore"), "--no-owner", "--no-acl", f"--file={script}", str(dump)],
        capture_output=True,
        text=True,
    )
    if written.returncode != 0:
        raise _restore_failed(written.stderr)
    tables = connection.introspection.table_names()
    connection.close()
    psql, env = pg_command("psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1")
    if tables:
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        psql += ["-c", f"DROP TABLE IF EXISTS {quoted} CASCADE", "-c", DROP_OWN_FUNCTIONS]
    done = subprocess.run(
        [*psql, "-f", str(script)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if done.returncode != 0:
        raise _restore_failed(done.stderr)


def _restore_failed(error: str) -> BackupError:
    return BackupError(
        "restore_failed", _("数据库恢复失败，数据库保持原样：%(error)s") % {"error": error.strip()}
    )


def _swap_media(staged: Path, stamp: str) -> Path | None:
    live = media_root()
    aside = None
    if live.exists():
        aside = live.with_name(f"media.before-restore-{stamp}")
        os.rename(live, aside)
    if staged.exists():
        os.rename(staged, live)
    return aside


def restore(archive: Path, passphrase: bytes, *, force: bool) -> Restored:
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=var_dir))
    try:
        manifest = unpack(Path(archive), passphrase, staging)
        _refuse_foreign(manifest)
        theirs = KeyRing.from_json(json.loads((staging / "keyring.json").read_text()))
        plan = _ring_plan(theirs)
        if not force and not database_is_empty():
            raise BackupError(
                "restore_database_not_empty",
                _("目标数据库不是空的：加 --force 将以备份替换其全部内容，未恢复任何内容"),
            )
        # Keys only added go first: a restored database without its keys is unreadable, spare keys
        # harm nothing. A replaced ring waits for the database: the old one still needs it.
        if plan.ring is not None and not plan.replaces:
            _write_ring(plan.ring, stamp)
        dump = staging / manifest["database"]
        (_restore_sqlite if manifest["vendor"] == "sqlite" else _restore_postgresql)(dump)
        if plan.ring is not None and plan.replaces:
            _write_ring(plan.ring, stamp)
        aside = _swap_media(staging / "media", stamp)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        crypto.reset_keyring_cache()
    return Restored(manifest, plan.note, aside)
