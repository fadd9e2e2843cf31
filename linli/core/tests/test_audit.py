import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from linli.core.audit import record, verify_chain
from linli.core.models import AuditEntry
from linli.testing.threads import race


def _some_changes(world, api):
    unit = world.house.unit
    for n in ("501", "502", "503"):
        assert (
            api(world.staff)
            .post(f"/units/{unit.id}/houses", {"number": n, "floor": 5, "area": "70"})
            .status_code
            == 201
        )


def test_it_chains_every_change_and_verifies(world, api):
    _some_changes(world, api)
    assert AuditEntry.objects.count() == 3
    result = verify_chain()
    assert result.ok and result.checked == 3


@pytest.mark.django_db(transaction=True)
def test_racing_changes_queue_on_the_chain_and_it_still_verifies(world):
    """Each change appends after the entry the one before it wrote: without the head's lock two
    racing entries would name the same predecessor and the chain would fork."""

    def change(n: int):
        def run():
            with transaction.atomic():
                record(actor=world.staff, action="test.race", object_type="test", object_id=n)

        return run

    outcomes = race([change(n) for n in range(8)])
    assert outcomes == [None] * 8
    result = verify_chain()
    assert result.ok and result.checked == AuditEntry.objects.count() >= 8, result


def test_it_detects_an_edited_entry(world, api):
    _some_changes(world, api)
    middle = AuditEntry.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET after = %s WHERE id = %s", ['{"area": "1.00"}', middle.id])
    result = verify_chain()
    assert not result.ok
    assert result.broken_id == middle.id


def test_it_detects_a_deleted_entry(world, api):
    _some_changes(world, api)
    first = AuditEntry.objects.order_by("id").first()
    AuditEntry.objects.filter(pk=first.pk).delete()
    assert not verify_chain().ok


def test_it_detects_a_truncated_tail(world, api):
    _some_changes(world, api)
    AuditEntry.objects.order_by("-id").first().delete()
    assert not verify_chain().ok


def test_it_reports_through_the_console(world, api, capsys):
    _some_changes(world, api)
    call_command("verify_audit")
    assert "3" in capsys.readouterr().out
    AuditEntry.objects.order_by("id").first().delete()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 3  # tampering: not the 1 of a crash


def test_it_tells_a_check_that_could_not_run_from_a_broken_chain(tmp_path):
    """A database that cannot be reached is not tampering: the exit code says which it was."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(LINLI_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://nobody:x@127.0.0.1:9/none")
    done = subprocess.run(
        [sys.executable, "-m", "linli", "verify_audit"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode not in (0, 3), done.stderr
    assert "could not verify" in done.stderr


def test_it_records_the_request_id(world, api):
    unit = world.house.unit
    r = api(world.staff).post(
        f"/units/{unit.id}/houses", {"number": "601", "floor": 6, "area": "70"}, HTTP_X_REQUEST_ID="abc123"
    )
    assert r["X-Request-Id"] == "abc123"
    assert AuditEntry.objects.get().request_id == "abc123"


def test_it_shows_the_trail_to_auditors_only_and_never_to_outsiders(world, api):
    _some_changes(world, api)
    path = f"/communities/{world.a.id}/audit"
    assert len(api(world.staff).get(path).json()["items"]) == 3
    assert api(world.technician).get(path).status_code == 404
    assert api(world.outsider).get(path).status_code == 404
    assert api(world.owner).get(path).status_code == 404
