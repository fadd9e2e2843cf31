"""`linli backup`: a backup stays readable after the key it was sealed under is retired."""

import json
import sqlite3
import subprocess

import pytest
from django.core.management import call_command

from linli.core import crypto
from linli.registry.models import Person
from linli.testing import factories as f


def _phones_in_dump(dump) -> list[str]:
    """The sealed phone column as stored in the backup, read without linli."""
    if dump.suffix == ".sqlite3":
        with sqlite3.connect(dump) as db:
            return [row[0] for row in db.execute("SELECT phone FROM registry_person WHERE phone != ''")]
    sql = subprocess.run(
        ["pg_restore", "--data-only", "--table=registry_person", "-f", "-", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = iter(sql.splitlines())
    header = next(line for line in lines if line.startswith("COPY public.registry_person"))
    column = header[header.index("(") + 1 : header.index(")")].split(", ").index("phone")
    rows = [line.split("\t") for line in lines if "\t" in line]
    return [row[column] for row in rows if row[column]]


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_with_its_key_ring_and_survives_the_retirement_of_the_key(ring_file, tmp_path, settings):
    person = f.person(f.community(), "唐僧", phone="13900000001")
    old = crypto.keyring().active
    backup_dir, ring_dir = tmp_path / "backup", tmp_path / "rings"
    call_command("backup", to=backup_dir, keyring_to=ring_dir)
    [dump] = [p for p in backup_dir.iterdir() if p.suffix in (".sqlite3", ".dump")]
    [ring_copy] = list(ring_dir.iterdir())
    manifest = json.loads(next(backup_dir.glob("*.manifest.json")).read_text())
    assert manifest["active_key"] == old and manifest["keyring"] == str(ring_copy)
    for path in (dump, ring_copy):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert backup_dir.stat().st_mode & 0o777 == ring_dir.stat().st_mode & 0o777 == 0o700

    call_command("rotate_keys")
    call_command("rotate_keys", retire=old, old_backups_covered=True)
    assert Person.objects.get(pk=person.pk).phone == "13900000001"
    [sealed] = _phones_in_dump(dump)
    assert crypto.key_id_of(sealed) == old
    with pytest.raises(crypto.KeyRingError):
        crypto.decrypt(sealed, "registry.person.phone")  # the live ring no longer has the key
    settings.LINLI_KEYRING = str(ring_copy)  # what a restore does: the backup's own ring
    crypto.reset_keyring_cache()
    assert crypto.decrypt(sealed, "registry.person.phone") == "13900000001"
