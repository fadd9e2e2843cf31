"""Statements and reports with hand-computed figures: arrears per building (oldest first),
collection rate per building and month, a household's statement; their .xlsx; the query counts
that keep the arrears report flat however large the community."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linli.billing.services import ledger
from linli.testing import factories as f
from linli.testing.billing_counter import (
    issue_bill,
    ledger_proved,  # noqa: F401  (autouse: the ledger proved after each test)
    void_bill,
)

QUERIES: list = []
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def pay(api, user, house, fen, bills, key):
    body = {"channel": "cash", "amount_fen": fen, "bill_ids": [b.pk for b in bills], "idempotency_key": key}
    r = api(user).post(f"/billing/counter/houses/{house.pk}/payments", body)
    assert r.status_code == 201, r.content


@pytest.fixture
def books(world, api):
    """1号楼-301 (王建国): Jan 100.00 paid, Feb 200.00 paid 50.00, Mar 300.00 open.
    1号楼-302: Jan 120.00 open. 2号楼-101: Mar 80.00 paid, Feb 40.00 open, and a void bill."""
    other = f.house(f.unit(f.building(world.a, "2号楼")), "101")
    h301 = [
        issue_bill(world.house, fen, m, payer=world.owner_person)
        for fen, m in ((10000, JAN), (20000, FEB), (30000, MAR))
    ]
    issue_bill(world.neighbour_house, 12000, JAN)
    o_mar = issue_bill(other, 8000, MAR)
    issue_bill(other, 4000, FEB)
    void_bill(issue_bill(other, 99900, JAN))
    pay(api, world.front_desk, world.house, 15000, h301[:2], "books-0001")  # Jan full, Feb 50.00
    pay(api, world.front_desk, other, 8000, [o_mar], "books-0002")
    assert ledger.verify().ok, ledger.verify().problems
    return {"301": h301, "other": other}


def test_arrears_per_building_and_house_oldest_first(world, api, books):
    r = api(world.staff).get("/billing/reports/arrears", {"community": world.a.pk})
    assert r.status_code == 200
    body = r.json()
    # 1号楼: 301 owes 150.00 (Feb) + 300.00 (Mar) = 450.00 since Feb; 302 owes 120.00 since Jan.
    assert [(b["building"], b["houses"], b["owed_fen"], b["oldest"]) for b in body["buildings"]] == [
        ("1号楼", 2, 57000, "2026-01-01"),
        ("2号楼", 1, 4000, "2026-02-01"),
    ]
    assert [(h["house"], h["owed_fen"], h["bills"], h["oldest"]) for h in body["houses"]] == [
        ("1号楼-1单元-302", 12000, 1, "2026-01-01"),
        ("1号楼-1单元-301", 45000, 2, "2026-02-01"),
        ("2号楼-1单元-101", 4000, 1, "2026-02-01"),
    ]
    assert body["houses"][1]["payer"] == "王*国"
    only_2 = api(world.staff).get(
        "/billing/reports/arrears", {"community": world.a.pk, "building": books["other"].building_id}
    )
    assert [h["house"] for h in only_2.json()["houses"]] == ["2号楼-1单元-101"]


def test_the_arrears_report_costs_the_same_queries_for_3_houses_or_30(world, api, books):
    client = api(world.staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/billing/reports/arrears", {"community": world.a.pk}).status_code == 200
        QUERIES[:] = ctx.captured_queries
        return len(ctx)

    before = count()
    unit = f.unit(f.building(world.a, "3号楼"))
    for n in range(27):
        issue_bill(f.house(unit, f"{n + 1:03d}"), 100 + n, JAN)
    assert count() == before
    # session, user, memberships, residency, the community; per building; per house.
    assert before == 7, "\n".join(q["sql"][:120] for q in QUERIES)


def test_the_arrears_export_has_every_house_in_yuan_exact(world, books):
    client = Client()
    client.force_login(world.staff)
    r = client.get(f"/billing/c/{world.a.pk}/arrears/", {"format": "xlsx"})
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("楼栋", "单元", "房号", "缴费人", "欠费(元)")
    assert [(row[2], Decimal(str(row[4])).quantize(Decimal("0.01"))) for row in rows[1:]] == [
        ("302", Decimal("120.00")),
        ("301", Decimal("450.00")),
        ("101", Decimal("40.00")),
    ]


def test_collection_rate_per_building_and_month(world, api, books):
    r = api(world.staff).get(
        "/billing/reports/collection", {"community": world.a.pk, "start": "2026-01-01", "end": "2026-12-31"}
    )
    assert r.status_code == 200
    got = {(row["building"], row["month"]): (row["due_fen"], row["paid_fen"]) for row in r.json()}
    assert got == {
        ("1号楼", "2026-01"): (22000, 10000),
        ("1号楼", "2026-02"): (20000, 5000),
        ("1号楼", "2026-03"): (30000, 0),
        ("2号楼", "2026-02"): (4000, 0),
        ("2号楼", "2026-03"): (8000, 8000),
    }  # the void bill of 2号楼 is not billed


def test_a_part_month_bill_counts_in_its_month(world, api, books):
    issue_bill(world.house, 4500, date(2026, 3, 17), name="车位月租")  # a move-in on the 17th
    r = api(world.staff).get(
        "/billing/reports/collection", {"community": world.a.pk, "start": "2026-03-01", "end": "2026-03-31"}
    )
    got = {(row["building"], row["month"]): (row["due_fen"], row["paid_fen"]) for row in r.json()}
    assert got == {("1号楼", "2026-03"): (34500, 0), ("2号楼", "2026-03"): (8000, 8000)}


def test_the_collection_page_and_export_compute_the_rates(world, books):
    client = Client()
    client.force_login(world.staff)
    page = client.get(f"/billing/c/{world.a.pk}/reports/", {"year": 2026}).content.decode()
    # Whole community: due 840.00, paid 230.00 → 27.4 %; 1号楼 January 100/220 → 45.5 %.
    assert "¥840.00" in page and "¥230.00" in page and "27.4%" in page and "45.5%" in page
    r = client.get(f"/billing/c/{world.a.pk}/reports/", {"year": 2026, "format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[-1][0:2] == ("全小区", "合计")
    assert Decimal(str(rows[-1][4])) == Decimal("27.4")


def test_the_household_statement_adds_up(world, api, books):
    r = api(world.owner).get(
        f"/billing/houses/{world.house.pk}/statement", {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert r.status_code == 200, r.content
    s = r.json()
    assert (s["billed_fen"], s["paid_fen"], s["owed_now_fen"], s["prepaid_fen"]) == (60000, 15000, 45000, 0)
    assert [b["period_start"] for b in s["bills"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    feb_only = api(world.staff).get(
        f"/billing/houses/{world.house.pk}/statement", {"start": "2026-02-01", "end": "2026-02-28"}
    )
    assert feb_only.json()["billed_fen"] == 20000
    bad = api(world.staff).get(
        f"/billing/houses/{world.house.pk}/statement", {"start": "2026-03-01", "end": "2026-01-01"}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_period")
    for user in (world.neighbour, world.outsider, world.technician):
        assert (
            api(user)
            .get(f"/billing/houses/{world.house.pk}/statement", {"start": "2026-01-01", "end": "2026-12-31"})
            .status_code
            == 404
        )


def test_the_resident_statement_page_and_export(world, books):
    client = Client()
    client.force_login(world.owner)
    page = client.get("/billing/statement/", {"start": "2026-01-01", "end": "2026-12-31"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "¥600.00" in text and "¥150.00" in text and "¥450.00" in text
    r = client.get("/billing/statement/", {"start": "2026-01-01", "end": "2026-12-31", "format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    owed = next(row for row in rows if row and row[0] == "当前欠费")
    assert Decimal(str(owed[3])) == Decimal("450.00")


def test_reports_are_for_staff_with_billing_view(world, api, books):
    for user in (world.owner, world.technician, world.outsider):
        assert api(user).get("/billing/reports/arrears", {"community": world.a.pk}).status_code == 404
    committee = f.staff(world.a, "committee_member", "committee")
    assert api(committee).get("/billing/reports/arrears", {"community": world.a.pk}).status_code == 200
