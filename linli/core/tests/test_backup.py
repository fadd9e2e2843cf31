"""`linli backup` and what `linli restore` refuses: an archive sealed with a passphrase holds the
database, the uploads and the key ring; a wrong passphrase or an altered file restores nothing."""

import json
import os
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from linli.core import crypto
from linli.core.models import Community, PeriodicJob
from linli.core.restore import unpack
from linli.core.sealed_stream import HEADER_LEN, SealingWriter
from linli.core.secrets import new_keyring
from linli.testing import factories as f
from linli.testing.backups import PASSPHRASE, UPLOAD, UPLOAD_BYTES, back_up
from linli.testing.legs import sqlite_leg_only


def refused(archive, code: str) -> None:
    """restore --force (so that only the archive itself can stop it) fails with `code`."""
    with pytest.raises(CommandError, match=code):
        call_command("restore", archive, force=True)


@pytest.mark.django_db(transaction=True)
def test_it_seals_database_uploads_and_key_ring_into_one_private_archive(installation, tmp_path):
    f.person(f.community(), "唐僧", phone="13900000001")
    archive = back_up(tmp_path / "backups")
    assert archive.stat().st_mode & 0o777 == 0o600
    assert archive.parent.stat().st_mode & 0o777 == 0o700
    assert list(archive.parent.iterdir()) == [archive]  # no dump left in the clear
    assert b"13900000001" not in archive.read_bytes() and UPLOAD_BYTES not in archive.read_bytes()

    manifest = unpack(archive, PASSPHRASE.encode(), tmp_path / "out")
    out = tmp_path / "out"
    assert manifest["vendor"] == connection.vendor and manifest["media_files"] == 1
    assert (out / UPLOAD).read_bytes() == UPLOAD_BYTES
    assert json.loads((out / "keyring.json").read_text()) == crypto.keyring().to_json()
    assert manifest["active_key"] == crypto.keyring().active
    assert "core.0001_initial" in manifest["migrations"]


@pytest.mark.django_db(transaction=True)
def test_it_wants_a_passphrase_from_the_environment_or_a_file(installation, tmp_path, monkeypatch):
    monkeypatch.delenv("LINLI_BACKUP_PASSPHRASE")
    with pytest.raises(CommandError, match="backup_no_passphrase"):
        call_command("backup", to=tmp_path / "b")
    short = tmp_path / "short"
    short.write_text("too short\n")
    with pytest.raises(CommandError, match="backup_weak_passphrase"):
        call_command("backup", to=tmp_path / "b", passphrase_file=short)
    good = tmp_path / "passphrase"
    good.write_text(PASSPHRASE + "\n")  # as an editor saves it
    call_command("backup", to=tmp_path / "b", passphrase_file=good)
    [archive] = (tmp_path / "b").glob("*.linlibackup")
    assert unpack(archive, PASSPHRASE.encode(), tmp_path / "out")["format"] == 1


@pytest.mark.django_db(transaction=True)
def test_it_restores_nothing_from_a_wrong_passphrase_a_cut_file_or_a_flipped_byte(
    installation, ring_file, tmp_path, monkeypatch
):
    (installation / "media" / "video.mp4").write_bytes(os.urandom(3 << 20))  # several chunks on any engine
    archive = back_up(tmp_path / "backups")
    # What a restore would undo if it went ahead: a community, an upload and the ring as they are now.
    Community.objects.create(name="备份后新建", code="after")
    (installation / "media" / "after.txt").write_text("after")
    ring_before = ring_file.read_bytes()
    data = archive.read_bytes()

    monkeypatch.setenv("LINLI_BACKUP_PASSPHRASE", PASSPHRASE + "!")
    refused(archive, "backup_wrong_passphrase")
    monkeypatch.setenv("LINLI_BACKUP_PASSPHRASE", PASSPHRASE)
    chunk = 12 + 4 + (1 << 20) + 16
    for name, altered in {
        "cut_at_a_chunk_boundary": data[: HEADER_LEN + chunk],
        "cut_inside_a_chunk": data[: HEADER_LEN + chunk + 1000],
        "cut_one_byte_short": data[:-1],
        "flipped_in_the_middle": data[: len(data) // 2]
        + bytes([data[len(data) // 2] ^ 0x80])
        + data[len(data) // 2 + 1 :],
        "flipped_in_the_last_tag": data[:-1] + bytes([data[-1] ^ 0x01]),
    }.items():
        bad = tmp_path / f"{name}.linlibackup"
        bad.write_bytes(altered)
        refused(bad, "backup_damaged")

    assert Community.objects.filter(code="after").exists()
    assert (installation / "media" / "after.txt").exists()
    assert sorted(p.name for p in installation.iterdir()) == ["media"]  # no staging left, nothing set aside
    assert ring_file.read_bytes() == ring_before


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_over_a_database_that_is_not_empty_without_force(installation, tmp_path):
    archive = back_up(tmp_path / "backups")
    Community.objects.create(name="备份后新建", code="after")
    with pytest.raises(CommandError, match="restore_database_not_empty"):
        call_command("restore", archive)
    assert Community.objects.filter(code="after").exists()
    assert not (installation / "media.before-restore").exists()
    call_command("restore", archive, check=True)  # --check verifies and changes nothing either
    assert Community.objects.filter(code="after").exists()


@sqlite_leg_only("SQLite's online backup API; PostgreSQL's pg_dump reads a snapshot by design")
@pytest.mark.django_db(transaction=True)
def test_it_backs_up_sqlite_while_another_connection_writes(installation, tmp_path):
    """`linli serve` keeps writing during the nightly backup: no write fails or is lost, and the
    backup holds a consistent moment (every write up to one point, none after)."""
    written, errors = [], []
    going, stop = threading.Event(), threading.Event()

    def write():
        try:
            n = 0
            while not (stop.is_set() and n >= len(at_end) + 20):  # keeps on after the backup ends
                PeriodicJob.objects.create(name=f"write-{n:05d}", next_run_at=timezone.now())
                written.append(n)
                n += 1
                if n == 20:
                    going.set()
        except Exception as exc:  # handed to the test
            errors.append(exc)
            going.set()
        finally:
            connection.close()

    at_end: list = []
    writer = threading.Thread(target=write)
    writer.start()
    going.wait()
    archive = back_up(tmp_path / "backups")
    at_end.extend(written)
    stop.set()
    writer.join()

    assert errors == []
    live = sorted(PeriodicJob.objects.filter(name__startswith="write-").values_list("name", flat=True))
    assert live == [f"write-{n:05d}" for n in written]
    unpack(archive, PASSPHRASE.encode(), tmp_path / "out")
    with sqlite3.connect(tmp_path / "out" / "database.sqlite3") as db:
        saved = [
            row[0]
            for row in db.execute("SELECT name FROM core_periodicjob WHERE name LIKE 'write-%' ORDER BY name")
        ]
    assert 20 <= len(saved) <= len(live)
    assert saved == live[: len(saved)]


def resealed(archive: Path, work: Path, *, database: bytes | None = None, **manifest_changes) -> Path:
    """The archive, opened and sealed again with the same passphrase, its database or manifest
    changed: an archive that verifies but holds what `linli backup` would not have written (a dump
    that was bad when sealed, a backup made by another release)."""
    manifest = unpack(archive, PASSPHRASE.encode(), work / "unpacked")
    if database is not None:
        (work / "unpacked" / manifest["database"]).write_bytes(database)
    manifest.update(manifest_changes)
    (work / "unpacked" / "manifest.json").write_text(json.dumps(manifest))  # read, not unpacked
    forged = work / "forged.linlibackup"
    with open(forged, "wb") as out:
        sealed = SealingWriter(out, PASSPHRASE.encode())
        with tarfile.open(fileobj=sealed, mode="w|") as tar:
            for name in ("manifest.json", "keyring.json", manifest["database"], "media"):
                tar.add(work / "unpacked" / name, arcname=name)
        sealed.close()
    return forged


@pytest.mark.django_db(transaction=True)
def test_it_leaves_the_database_and_the_ring_as_they_were_when_the_dump_does_not_load(
    installation, ring_file, tmp_path
):
    archive = back_up(tmp_path / "backups")
    Community.objects.create(name="备份后新建", code="after")
    # Another installation's ring, which a restore replaces — only once the database is restored.
    other_ring = json.dumps(new_keyring())
    ring_file.write_text(other_ring)
    crypto.reset_keyring_cache()
    refused(resealed(archive, tmp_path, database=b"not a dump " * 1000), "restore_failed")
    assert Community.objects.filter(code="after").exists()
    assert ring_file.read_text() == other_ring
    assert sorted(p.name for p in installation.iterdir()) == ["media"]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_of_a_newer_release_or_a_ring_it_cannot_write(installation, tmp_path, settings):
    archive = back_up(tmp_path / "backups")
    Community.objects.create(name="备份后新建", code="after")
    newer = resealed(archive, tmp_path / "newer", migrations=["core.9999_from_the_future"])
    refused(newer, "restore_newer_backup")
    settings.LINLI_KEYRING = json.dumps(new_keyring())  # inline, and another installation's
    crypto.reset_keyring_cache()
    refused(archive, "restore_inline_ring")
    assert Community.objects.filter(code="after").exists()
