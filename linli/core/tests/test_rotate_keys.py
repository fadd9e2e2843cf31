import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from linli.core import crypto
from linli.registry.models import Person
from linli.testing import factories as f


def _stored_key_ids():
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_person")
        return {crypto.key_id_of(row[0]) for row in cursor.fetchall()}


@pytest.mark.django_db
def test_it_rotates_reencrypts_and_retires_the_old_key(ring_file):
    c = f.community()
    people = [f.person(c, f"人{i}", phone=f"1390000000{i}") for i in range(5)]
    old = crypto.keyring().active
    call_command("rotate_keys")
    new = json.loads(ring_file.read_text())["active"]
    assert new != old
    assert _stored_key_ids() == {new}
    assert [Person.objects.get(pk=p.pk).phone for p in people] == [f"1390000000{i}" for i in range(5)]
    call_command("rotate_keys", retire=old, old_backups_covered=True)
    assert old not in json.loads(ring_file.read_text())["keys"]
    assert Person.objects.get(pk=people[0].pk).phone == "13900000000"


@pytest.mark.django_db
def test_it_refuses_to_retire_a_key_still_in_use(ring_file):
    c = f.community()
    f.person(c, "沙和尚", phone="13900000009")
    old = crypto.keyring().active
    call_command("rotate_keys", reencrypt_only=True)  # nothing new: values stay under the old key
    with pytest.raises(CommandError):
        call_command("rotate_keys", retire=old, old_backups_covered=True)


@pytest.mark.django_db
def test_it_refuses_to_retire_until_the_old_backups_keep_a_ring(ring_file, tmp_path):
    old = crypto.keyring().active
    call_command("rotate_keys")
    with pytest.raises(CommandError, match="--archive-ring-to"):
        call_command("rotate_keys", retire=old)
    assert old in json.loads(ring_file.read_text())["keys"]
    archive = tmp_path / "ring-before-retire.json"
    call_command("rotate_keys", retire=old, archive_ring_to=archive)
    assert old in json.loads(archive.read_text())["keys"]
    assert old not in json.loads(ring_file.read_text())["keys"]
    assert archive.stat().st_mode & 0o777 == 0o600
