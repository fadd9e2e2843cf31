"""The double-entry ledger. Every posting balances, or nothing is written.

Accounts and their normal sides are in `choices.Account`. What each business event posts:

| event | debit | credit |
|---|---|---|
| bill issued | receivable | revenue (deposits for a deposit) |
| late fee charged | receivable | late_fee |
| payment online | clearing/<provider> | receivable (prepayment for a prepay) |
| payment at the counter | cash/<channel> | receivable (prepayment for a prepay) |
| prepayment applied | prepayment | receivable |
| waiver approved | discount | receivable |
| bill voided (unpaid part) | revenue (deposits) | receivable |
| refund, the part that paid a bill (owed again) | receivable (the bill) | clearing/<provider> or cash/<channel> |
| refund, the part that went to the prepayment | prepayment | clearing/<provider> or cash/<channel> |
| refund of a bill voided since, or of prepayment already spent | refund | clearing/<provider> or cash/<channel> |
| deposit refunded (when the money has gone back) | deposits (the bill) | clearing/<provider> or cash/<channel> |
| deposit deduction kept | deposits (the bill) | revenue |

`verify()` proves the whole ledger: each transaction balances, the trial balance is zero, each bill's receivable equals what the bill still says is owed, and each house's
prepayment equals its `HouseAccount`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import DateField, DateTimeField, DecimalField, F, JSONField, Sum
from django.utils import timezone

from linli.billing.choices import Account, BillStatus
from linli.billing.models import Bill, HouseAccount, LedgerEntry, LedgerTransaction
from linli.core.errors import ServiceError

INSERT_BATCH = 10_000


@dataclass(frozen=True)
class Leg:
    account: str
    debit_fen: int = 0
    credit_fen: int = 0
    sub: str = ""
    house_id: int | None = None
    bill_id: int | None = None


def debit(
    account: str, fen: int, *, sub: str = "", house_id: int | None = None, bill_id: int | None = None
) -> Leg:
    return Leg(account, debit_fen=fen, sub=sub, house_id=house_id, bill_id=bill_id)


def credit(
    account: str, fen: int, *, sub: str = "", house_id: int | None = None, bill_id: int | None = None
) -> Leg:
    return Leg(account, credit_fen=fen, sub=sub, house_id=house_id, bill_id=bill_id)


def post(
    *, community_id: int, kind: str, legs: list[Leg], memo: str = "", bill=None, payment=None, actor=None
):
    """Write one balanced transaction (call inside the caller's atomic block). Zero legs are
    dropped; a posting that does not balance is a programming error and raises before writing."""
    legs = [leg for leg in legs if leg.debit_fen or leg.credit_fen]
    if any(leg.account == Account.RECEIVABLE and leg.bill_id is None for leg in legs):
        raise ServiceError("ledger_receivable_without_bill", "a receivable leg must name its bill")
    if any(leg.debit_fen < 0 or leg.credit_fen < 0 for leg in legs):
        raise ServiceError("ledger_negative_leg", "negative ledger leg")
    if sum(leg.debit_fen for leg in legs) != sum(leg.credit_fen for leg in legs):
        raise ServiceError("ledger_unbalanced", "unbalanced ledger posting")
    if not legs:
        return None
    txn = LedgerTransaction.objects.create(
        community_id=community_id,
        kind=kind,
        memo=memo[:200],
        bill=bill,
        payment=payment,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    insert_rows(
        LedgerEntry,
        [
            {
                "transaction_id": txn.pk,
                "community_id": community_id,
                "account": leg.account,
                "sub": leg.sub,
                "house_id": leg.house_id,
                "bill_id": leg.bill_id,
                "debit_fen": leg.debit_fen,
                "credit_fen": leg.credit_fen,
            }
            for leg in legs
        ],
    )
    return txn


def insert_rows(model, rows: list) -> None:
    """INSERT rows (unsaved instances, or dicts by attname) in bulk, without reading their ids
    back: COPY on PostgreSQL, executemany elsewhere. A billing run posts 100,001 entries at once:
    the ORM's bulk_create compiles every value through its SQL compiler, which took most of the
    run's time (bench/billing.py); this adapts each value with the backend's own adapters only."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops, now = connection.ops, timezone.now()

    def adapter(f):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = ops.adapt_datetimefield_value(now)
            return lambda value: stamp
        if isinstance(f, DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, DateField):
            return ops.adapt_datefield_value
        if isinstance(f, DecimalField):
            return lambda value: ops.adapt_decimalfield_value(value, f.max_digits, f.decimal_places)
        if isinstance(f, JSONField):  # bills of one floor plan share their lines: serialised once
            done: dict[int, object] = {}
            return lambda value: (
                done.get(id(value)) or done.setdefault(id(value), f.get_db_prep_save(value, connection))
            )
        return None

    adapters = [(f.attname, adapter(f)) for f in fields]
    if not isinstance(rows[0], dict):
        rows = [vars(obj) for obj in rows]
    # A column the rows do not name (one added since they were written) takes its default.
    missing = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    if missing:
        rows = [{**missing, **row} for row in rows]
    values = [[row[name] if adapt is None else adapt(row[name]) for name, adapt in adapters] for row in rows]
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: the rows stream in one command
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        # executemany reuses one prepared statement (SQLite runs in-process: no round trips)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(values), INSERT_BATCH):
            cursor.executemany(sql, values[start : start + INSERT_BATCH])


@dataclass
class VerifyReport:
    transactions: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(community_id: int | None = None) -> VerifyReport:
    report = VerifyReport()
    entries = LedgerEntry.objects.all()
    txns = LedgerTransaction.objects.all()
    bills = Bill.objects.all()
    accounts = HouseAccount.objects.all()
    if community_id is not None:
        entries = entries.filter(community_id=community_id)
        txns = txns.filter(community_id=community_id)
        bills = bills.filter(community_id=community_id)
        accounts = accounts.filter(community_id=community_id)
    report.transactions = txns.count()

    unbalanced = (
        entries.values("transaction_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .exclude(d=F("c"))
        .values_list("transaction_id", flat=True)
    )
    report.problems += [f"transaction {t} does not balance" for t in unbalanced[:100]]
    if txns.filter(entries__isnull=True).exists():
        report.problems.append("a transaction has no entries")

    totals = {
        row["account"]: row["d"] - row["c"]
        for row in entries.values("account").annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
    }
    if sum(totals.values()) != 0:
        report.problems.append("the trial balance does not sum to zero")

    receivable = defaultdict(int)
    for row in (
        entries.filter(account=Account.RECEIVABLE)
        .values("bill_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
    ):
        receivable[row["bill_id"]] = row["d"] - row["c"]
    for bill in bills.only(
        "id", "status", "amount_fen", "discount_fen", "late_fee_fen", "paid_fen"
    ).iterator():
        expected = 0 if bill.status == BillStatus.VOID else bill.owed_fen
        if receivable.pop(bill.id, 0) != expected:
            report.problems.append(f"bill {bill.id}: ledger receivable differs from the bill")
    report.problems += [f"bill {b}: ledger entries for a missing bill" for b, v in receivable.items() if v]

    prepaid = {
        row["house_id"]: row["c"] - row["d"]
        for row in entries.filter(account=Account.PREPAYMENT)
        .values("house_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
    }
    for account in accounts.only("house_id", "prepaid_fen").iterator():
        if prepaid.pop(account.house_id, 0) != account.prepaid_fen:
            report.problems.append(f"house {account.house_id}: prepaid balance differs from the ledger")
    # Prepayment without a house is money held for a refund (settle.credit_prepayment).
    report.problems += [f"house {h}: prepayment without an account" for h, v in prepaid.items() if v and h]
    return report
