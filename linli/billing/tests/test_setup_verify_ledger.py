"""`linli verify_ledger`: says the ledger is sound, or lists what is wrong and exits 3."""

import pytest
from django.core.management import call_command

from linli.billing.models import Bill, LedgerEntry
from linli.billing.tests.test_setup_runs import item_with_price, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(world, api):
    client = api(world.staff)
    run(client, item_with_price(client, world))
    return world


def test_a_sound_ledger_passes(billed, capsys):
    call_command("verify_ledger")
    assert "账本平衡：已校验 1 笔记账" in capsys.readouterr().out
    call_command("verify_ledger", community=billed.a.id)


def test_a_bill_changed_behind_the_ledger_fails_with_exit_3(billed, capsys):
    bill = Bill.objects.get(house=billed.house)
    Bill.objects.filter(pk=bill.pk).update(amount_fen=bill.amount_fen + 1)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_ledger")
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "账本有 1 处问题" in err and f"bill {bill.pk}: ledger receivable differs" in err


def test_an_unbalanced_transaction_is_named(billed, capsys):
    entry = LedgerEntry.objects.filter(account="revenue").get()
    LedgerEntry.objects.filter(pk=entry.pk).update(credit_fen=entry.credit_fen - 1)
    with pytest.raises(SystemExit):
        call_command("verify_ledger")
    err = capsys.readouterr().err
    assert f"transaction {entry.transaction_id} does not balance" in err
    assert "trial balance" in err
