import json

import pytest
from django.db import connection

from linli.core import crypto
from linli.core.crypto import KeyRingError, blind_index, decrypt, encrypt
from linli.registry.models import Person
from linli.testing import factories as f


def test_it_round_trips_and_binds_the_field_name():
    token = encrypt("110105199001011234", "registry.person.id_number")
    assert "110105199001011234" not in token
    assert decrypt(token, "registry.person.id_number") == "110105199001011234"
    with pytest.raises(KeyRingError):
        decrypt(token, "registry.person.phone")


def test_it_gives_equal_blind_indexes_for_equal_values_only():
    assert blind_index("phone", "+86 138-0013-8000") == blind_index("phone", "13800138000")
    assert blind_index("phone", "13800138000") != blind_index("phone", "13800138001")
    assert blind_index("plate", "京a·12345") == blind_index("plate", "京A12345")


@pytest.mark.django_db
def test_it_stores_no_plaintext_personal_data():
    c = f.community()
    f.person(c, "孙悟空", id_number="110105199001011237", phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM registry_person")
        stored = cursor.fetchall()[0]
    assert "110105199001011237" not in stored[0]
    assert "13912345678" not in stored[1]
    assert Person.objects.get().phone == "13912345678"


@pytest.mark.django_db
def test_it_reads_old_ciphertexts_after_a_key_rotation(settings, tmp_path):
    c = f.community()
    p = f.person(c, "猪八戒", phone="13912345670")
    ring = crypto.keyring()
    new_ring = crypto.KeyRing(active="knew", keys={**ring.keys, "knew": b"k" * 32}, index_key=ring.index_key)
    path = tmp_path / "ring.json"
    path.write_text(json.dumps(new_ring.to_json()))
    settings.LINLI_KEYRING = str(path)
    crypto.reset_keyring_cache()
    try:
        assert Person.objects.get(pk=p.pk).phone == "13912345670"
        assert encrypt("x", "a.b").startswith("knew:")
    finally:
        crypto.reset_keyring_cache()
