"""The restore drill: a community's books and audit trail backed up, the installation damaged and
moved on, `linli restore` — and the audit chain and the ledger prove again, the keys retired since
the backup back in the ring, the uploads back in place."""

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from linli.billing.models import Bill
from linli.core import crypto
from linli.core.models import AuditEntry
from linli.registry.models import House, Person
from linli.registry.services import do_update_house
from linli.testing.backups import PASSPHRASE, UPLOAD, UPLOAD_BYTES, back_up
from linli.testing.billing_counter import issue_bill, paid_receipt
from linli.testing.legs import sqlite_leg_only


def exit_code(command: str) -> int:
    """A verify command's exit code as cron sees it (0 when it returns)."""
    try:
        call_command(command, stdout=StringIO(), stderr=StringIO())
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.django_db(transaction=True)
def test_it_restores_the_books_the_audit_trail_the_keys_and_the_uploads(
    world, installation, ring_file, tmp_path
):
    bill = paid_receipt(world.front_desk, world.house, 12000, "drill-1").payment.allocations.get().bill
    do_update_house(actor=world.staff, house=world.house, area=Decimal("99.50"))
    entries = AuditEntry.objects.count()
    backed_up_key = crypto.keyring().active
    archive = back_up(tmp_path / "backups")

    # Life goes on: the key is rotated and the old one retired, a bill is issued, the house changed...
    call_command("rotate_keys", stdout=StringIO())
    call_command("rotate_keys", retire=backed_up_key, old_backups_covered=True, stdout=StringIO())
    current_key = crypto.keyring().active
    later = issue_bill(world.house, 5000, date(2026, 2, 1))
    do_update_house(actor=world.staff, house=world.house, area=Decimal("120.00"))
    # ...then the disaster: the trail and the books altered behind linli's back, the uploads lost.
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("pk").first().pk).update(action="tampered")
    Bill.objects.filter(pk=later.pk).update(amount_fen=7000)  # its receivable says 5000
    (installation / UPLOAD).unlink()
    assert exit_code("verify_audit") == 3
    assert exit_code("verify_ledger") == 3

    out = StringIO()
    call_command("restore", archive, force=True, stdout=out)

    assert exit_code("verify_audit") == exit_code("verify_ledger") == 0
    assert AuditEntry.objects.count() == entries
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    assert not Bill.objects.filter(pk=later.pk).exists()
    assert House.objects.get(pk=world.house.pk).area == Decimal("99.50")
    # The restored rows are sealed under the retired key: the ring got it back, and kept its newer
    # active key for what is written from now on.
    ring = json.loads(ring_file.read_text())
    assert ring["active"] == current_key and backed_up_key in ring["keys"]
    assert backed_up_key in out.getvalue()
    sealed = Person.objects.filter(pk=world.owner_person.pk).values_list("phone", flat=True).query
    with connection.cursor() as cursor:
        cursor.execute(*sealed.sql_with_params())
        assert crypto.key_id_of(cursor.fetchone()[0]) == backed_up_key
    assert Person.objects.get(pk=world.owner_person.pk).phone == world.owner_person.phone
    assert (installation / UPLOAD).read_bytes() == UPLOAD_BYTES
    assert [p.name.startswith("media.before-restore-") for p in installation.iterdir()].count(True) == 1


def linli(var_dir: Path, *args: str, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess:
    """`python -m linli ...` as an operator runs it, for an installation living in var_dir."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LINLI_KEYRING", "LINLI_SECRET_KEY"}
    }
    env.update(
        LINLI_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="linli.settings",
        LINLI_BACKUP_PASSPHRASE=passphrase,
    )
    return subprocess.run(
        [sys.executable, "-m", "linli", *args], env=env, capture_output=True, text=True, timeout=300
    )


@sqlite_leg_only("a second installation on the embedded default, whatever the leg's DATABASE_URL")
def test_it_restores_onto_a_new_machine_from_the_command_line(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    assert linli(old, "migrate", "--noinput", "-v0").returncode == 0
    backed_up = linli(old, "backup", "--to", str(tmp_path / "backups"))
    assert backed_up.returncode == 0, backed_up.stderr
    [archive] = (tmp_path / "backups").glob("*.linlibackup")

    wrong = linli(new, "restore", str(archive), passphrase=PASSPHRASE + "!")
    assert wrong.returncode == 1 and "backup_wrong_passphrase" in wrong.stderr
    assert not (new / "linli.sqlite3").exists()

    restored = linli(new, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    # The new machine generated a ring of its own: set aside, the backup's ring in its place.
    assert json.loads((new / "keyring.json").read_text()) == json.loads((old / "keyring.json").read_text())
    assert len(list(new.glob("keyring.json.replaced-*"))) == 1
    assert (new / "linli.sqlite3").stat().st_mode & 0o777 == 0o600
    assert linli(new, "verify_audit").returncode == 0
