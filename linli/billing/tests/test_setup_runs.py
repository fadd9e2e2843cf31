"""Billing runs through the API: preview, post once, who pays day by day (sales, leases, vacant
days), pro-rating, meters, shared area, void and re-issue, temporary parking. The ledger proves
itself after every posting."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from linli.billing.choices import Account, BillStatus, Channel
from linli.billing.models import (
    Bill,
    BillingRun,
    FeeStandard,
    HouseAccount,
    LedgerEntry,
    Payment,
    PaymentAllocation,
)
from linli.billing.services import ledger
from linli.billing.services.settle import new_trade_no, settle
from linli.registry.models import Occupancy
from linli.registry.services import do_end_occupancy
from linli.testing import factories as f

pytestmark = pytest.mark.django_db
MARCH = "2026-03-01"


def item_with_price(client, world, *, kind="property", price=250, name=None, publish=True, **item):
    r = client.post(
        f"/billing/communities/{world.a.id}/fee-items", {"name": name or kind, "kind": kind, **item}
    )
    fee_item = r.json()
    std = client.post(
        f"/billing/fee-items/{fee_item['id']}/standards",
        {"unit_price_fen": price, "effective_from": "2026-01-01", **item.pop("standard", {})},
    ).json()
    if publish:
        client.post(f"/billing/standards/{std['id']}/publish")
    return fee_item


def preview(client, item, start=MARCH, **extra):
    return client.post(f"/billing/fee-items/{item['id']}/runs", {"period_start": start, **extra})


def run(client, item, start=MARCH, **extra):
    r = preview(client, item, start, **extra)
    assert r.status_code == 201, r.json()
    posted = client.post(f"/billing/runs/{r.json()['run']['id']}/post")
    assert posted.status_code == 200, posted.json()
    return r.json()


def verified():
    report = ledger.verify()
    assert report.ok, report.problems
    return True


def test_preview_writes_nothing_then_post_bills_every_owned_house_once(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    empty = f.house(f.unit(world.building, "2单元"), "101", area="50.00")  # nobody owns it
    r = preview(client, item)
    assert r.status_code == 201
    body = r.json()
    # 89.50 × 2.50 = 223.75 元; 120.00 × 2.50 = 300 元; the empty house's days are not billed
    assert (body["bill_count"], body["total_fen"]) == (2, 22375 + 30000)
    assert body["unowned"] == [
        {"house_id": empty.id, "label": "1号楼-2单元-101", "first": "2026-03-01", "last": "2026-03-31"}
    ]
    assert body["without_payer"] == []
    assert body["samples"][0]["lines"][-1]["amount_fen"] == 22375
    assert body["samples"][0]["standard_version"] == 1
    assert not Bill.objects.exists()

    posted = client.post(f"/billing/runs/{body['run']['id']}/post").json()
    assert (posted["status"], posted["bill_count"], posted["total_fen"]) == ("posted", 2, 52375)
    bills = {b.house_id: b for b in Bill.objects.all()}
    assert bills[world.house.id].payer == world.owner_person
    assert empty.id not in bills
    assert bills[world.house.id].due_on == date(2026, 3, 31)  # 30 days after the period's start
    assert verified()
    revenue = LedgerEntry.objects.get(account=Account.REVENUE)
    assert (revenue.credit_fen, revenue.sub) == (52375, "property")


def test_a_fee_of_the_whole_period_bills_a_house_without_owner_and_lists_it(world, api):
    client = api(world.staff)
    item = item_with_price(client, world, kind="one_off", cycle="once", price=5000, name="门禁卡工本费")
    empty = f.house(f.unit(world.building, "2单元"), "101", area="50.00")
    body = run(client, item)
    assert (body["bill_count"], body["without_payer"], body["unowned"]) == (3, ["1号楼-2单元-101"], [])
    assert Bill.objects.get(house=empty).payer is None
    assert verified()


def test_a_second_run_of_the_same_period_creates_nothing_and_says_so(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    hold(world, f.house(f.unit(world.building), "501", area="89.50"), SOLD_ON_THE_15TH)
    first, second = preview(client, item).json(), preview(client, item).json()
    client.post(f"/billing/runs/{first['run']['id']}/post")
    again = client.post(f"/billing/runs/{second['run']['id']}/post")
    assert (again.status_code, again.json()["code"]) == (409, "period_already_billed")
    assert "不会重复生成账单" in again.json()["message"]
    once_more = preview(client, item)
    assert (once_more.status_code, once_more.json()["code"]) == (409, "period_already_billed")
    # the world's two houses, and the sold one once per owner
    assert Bill.objects.count() == 4 and BillingRun.objects.get(pk=second["run"]["id"]).status == "preview"
    assert verified()


def test_a_move_in_on_the_17th_is_billed_for_15_of_31_days(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    house = f.house(f.unit(world.building), "303", area="89.50")
    f.occupy(house, f.person(world.a, "孙新"), "owner", valid_from=date(2026, 3, 17))
    run(client, item)
    bill = Bill.objects.get(house=house)
    assert bill.amount_fen == 10827  # 22375 × 15/31 = 10826.61
    assert bill.lines[0]["months"] == "15/31"
    assert verified()


def on(day: str) -> date:
    return date.fromisoformat(day)


OPEN = None
SINCE_2020 = on("2020-01-01")
# The seller's occupancy ends (sold) on 14 March, the buyer's starts on the 15th.
SOLD_ON_THE_15TH = [
    ("卖家", "owner", SINCE_2020, on("2026-03-14"), "sold"),
    ("买家", "owner", on("2026-03-15"), OPEN, ""),
]
PARKING = {"kind": "parking_monthly", "price": 10000, "payer_rule": "occupant"}
# (why, item, period, holdings: (who, relation, first day, last day, how it ends or lease term),
#  bills: (payer, first day, last day, fen), days nobody owned). Property: 89.50 ㎡ × 2.50 元 =
# 22375 fen a month; monthly parking 10000 fen. Each bill is pro-rated by its days, rounded once.
WHO_PAYS = [
    (
        "sold on the 15th of a 31-day month",
        {},
        "2026-03-01",
        SOLD_ON_THE_15TH,
        # 22375 × 14/31 = 10104.84; 22375 × 17/31 = 12270.16
        [("卖家", "2026-03-01", "2026-03-14", 10105), ("买家", "2026-03-15", "2026-03-31", 12270)],
        [],
    ),
    (
        "sold on the 15th of a 30-day month",
        {},
        "2026-04-01",
        [
            ("卖家", "owner", SINCE_2020, on("2026-04-14"), "sold"),
            ("买家", "owner", on("2026-04-15"), OPEN, ""),
        ],
        # 22375 × 14/30 = 10441.67; 22375 × 16/30 = 11933.33
        [("卖家", "2026-04-01", "2026-04-14", 10442), ("买家", "2026-04-15", "2026-04-30", 11933)],
        [],
    ),
    (
        "sold twice in a quarter",
        {"cycle": "quarterly"},
        "2026-01-01",
        [
            ("甲", "owner", SINCE_2020, on("2026-02-09"), "sold"),
            ("乙", "owner", on("2026-02-10"), on("2026-03-04"), "sold"),
            ("丙", "owner", on("2026-03-05"), OPEN, ""),
        ],
        # 22375 × (1 + 9/28) = 29566.96; 22375 × (19/28 + 4/31) = 18070.13; 22375 × 27/31 = 19487.90
        [
            ("甲", "2026-01-01", "2026-02-09", 29567),
            ("乙", "2026-02-10", "2026-03-04", 18070),
            ("丙", "2026-03-05", "2026-03-31", 19488),
        ],
        [],
    ),
    (
        "a tenant who pays from the 10th",
        PARKING,
        "2026-03-01",
        [
            ("业主", "owner", SINCE_2020, OPEN, ""),
            ("租客", "tenant", on("2026-03-10"), on("2026-12-31"), "pays"),
        ],
        # 10000 × 9/31 = 2903.23; 10000 × 22/31 = 7096.77
        [("业主", "2026-03-01", "2026-03-09", 2903), ("租客", "2026-03-10", "2026-03-31", 7097)],
        [],
    ),
    (
        "a paying tenant's lease ends on the 20th",
        PARKING,
        "2026-03-01",
        [
            ("业主", "owner", SINCE_2020, OPEN, ""),
            ("租客", "tenant", on("2025-09-01"), on("2026-03-20"), "pays"),
        ],
        # 10000 × 20/31 = 6451.61; 10000 × 11/31 = 3548.39
        [("租客", "2026-03-01", "2026-03-20", 6452), ("业主", "2026-03-21", "2026-03-31", 3548)],
        [],
    ),
    (
        "a tenant whose lease does not say so",
        PARKING,
        "2026-03-01",
        [("业主", "owner", SINCE_2020, OPEN, ""), ("租客", "tenant", on("2026-03-10"), on("2026-12-31"), "")],
        [("业主", "2026-03-01", "2026-03-31", 10000)],
        [],
    ),
    (
        "vacant days between two owners",
        {},
        "2026-03-01",
        [
            ("卖家", "owner", SINCE_2020, on("2026-03-10"), "sold"),
            ("买家", "owner", on("2026-03-21"), OPEN, ""),
        ],
        # 22375 × 10/31 = 7217.74; 22375 × 11/31 = 7939.52
        [("卖家", "2026-03-01", "2026-03-10", 7218), ("买家", "2026-03-21", "2026-03-31", 7940)],
        [("2026-03-11", "2026-03-20")],
    ),
    (
        "a paying tenant while nobody owns the house",
        PARKING,
        "2026-03-01",
        [
            ("租客", "tenant", on("2026-01-01"), on("2026-12-31"), "pays"),
            ("业主", "owner", on("2026-03-16"), OPEN, ""),
        ],
        # 10000 × 16/31 = 5161.29: the tenant pays the owned days only
        [("租客", "2026-03-16", "2026-03-31", 5161)],
        [("2026-03-01", "2026-03-15")],
    ),
    (
        "a move-in on the 1st",
        {},
        "2026-03-01",
        [("业主", "owner", on("2026-03-01"), OPEN, "")],
        [("业主", "2026-03-01", "2026-03-31", 22375)],
        [],
    ),
    (
        "a move-in on the last day",
        {},
        "2026-03-01",
        [("业主", "owner", on("2026-03-31"), OPEN, "")],
        # 22375 × 1/31 = 721.77
        [("业主", "2026-03-31", "2026-03-31", 722)],
        [("2026-03-01", "2026-03-30")],
    ),
    (
        "an owner entered by mistake pays nothing",
        {},
        "2026-03-01",
        [
            ("误登", "owner", SINCE_2020, on("2026-03-10"), "correction"),
            ("业主", "owner", SINCE_2020, OPEN, ""),
        ],
        [("业主", "2026-03-01", "2026-03-31", 22375)],
        [],
    ),
]


def hold(world, house, holdings) -> dict[str, int]:
    """The house's registry: owners ended the way the registry ends them, leases with their term."""
    people = {}
    for who, relation, first, last, how in holdings:
        person = f.person(world.a, who)
        people[who] = person.pk
        if relation == "tenant":
            lease = f.occupy(house, person, "tenant", valid_from=first, valid_to=last)
            lease.tenant_pays_fees = how == "pays"
            lease.save()
            continue
        occupancy = f.occupy(house, person, relation, valid_from=first)
        if last is not None:
            do_end_occupancy(actor=world.staff, occupancy=occupancy, reason=how, on=last)
    return people


@pytest.mark.parametrize(
    ("why", "item", "period", "holdings", "bills", "unowned"), WHO_PAYS, ids=[case[0] for case in WHO_PAYS]
)
def test_every_owned_day_is_billed_once_to_whoever_pays_on_it(
    world, api, why, item, period, holdings, bills, unowned
):
    client = api(world.staff)
    fee_item = item_with_price(client, world, **item)
    house = f.house(f.unit(world.building), "501", area="89.50")
    people = hold(world, house, holdings)
    body = run(client, fee_item, period)
    got = Bill.objects.filter(house=house).order_by("period_start")
    assert [(b.payer_id, b.period_start, b.period_end, b.amount_fen) for b in got] == [
        (people[who], on(first), on(last), fen) for who, first, last, fen in bills
    ], why
    assert [(u["first"], u["last"]) for u in body["unowned"] if u["house_id"] == house.id] == unowned
    again = preview(client, fee_item, period)
    assert (again.status_code, again.json()["code"]) == (409, "period_already_billed")
    assert Bill.objects.filter(house=house).count() == len(bills)
    assert verified()


def test_a_quarterly_item_bills_three_months_in_one_bill(world, api):
    client = api(world.staff)
    item = item_with_price(client, world, cycle="quarterly")
    body = run(client, item, "2026-01-01")
    assert Bill.objects.get(house=world.house).amount_fen == 22375 * 3
    assert Bill.objects.get(house=world.house).period_end == date(2026, 3, 31)
    assert body["run"]["period_end"] == "2026-03-31"


def test_the_tenant_pays_where_the_lease_says_so(world, api):
    client = api(world.staff)
    owner_pays = item_with_price(client, world, name="物业费")
    tenant_pays = item_with_price(
        client, world, name="车位管理费", kind="parking_monthly", price=10000, payer_rule="occupant"
    )
    house = f.house(f.unit(world.building), "304")
    owner = f.person(world.a, "周业主")
    f.occupy(house, owner, "owner")
    tenant = f.person(world.a, "吴租客")
    lease = f.occupy(house, tenant, "tenant", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    lease.tenant_pays_fees = True
    lease.save()
    run(client, owner_pays)
    run(client, tenant_pays)
    assert Bill.objects.get(house=house, fee_item_id=owner_pays["id"]).payer == owner
    assert Bill.objects.get(house=house, fee_item_id=tenant_pays["id"]).payer == tenant
    # the world's tenant has no such lease term: her landlord pays
    assert Bill.objects.get(house=world.house, fee_item_id=tenant_pays["id"]).payer == world.owner_person


def test_houses_without_a_standard_for_their_type_are_skipped_and_listed(world, api):
    client = api(world.staff)
    item = item_with_price(client, world, standard={"house_type": "residential"})
    shop = f.house(f.unit(world.building), "S1", type="shop")
    body = preview(client, item).json()
    assert [(s["house_id"], s["reason"]) for s in body["skipped"]] == [
        (shop.id, "没有适用于该房屋类型的已公布收费标准")
    ]
    assert body["bill_count"] == 2


def test_an_unpublished_standard_bills_nobody(world, api):
    client = api(world.staff)
    item = item_with_price(client, world, publish=False)
    body = preview(client, item).json()
    assert body["bill_count"] == 0 and len(body["skipped"]) == 2


def test_water_is_billed_from_readings_at_tiered_prices_across_a_meter_change(world, api):
    client = api(world.staff)
    water = item_with_price(
        client, world, kind="water", price=0, standard={"tiers": [[10, 350], [None, "480.5"]]}
    )
    readings = f"/billing/houses/{world.house.id}/readings"
    client.post(readings, {"kind": "water", "read_on": "2026-02-28", "value": "100.5"})
    client.post(readings, {"kind": "water", "read_on": "2026-03-10", "value": "104"})
    r = client.post(
        readings,
        {
            "kind": "water",
            "read_on": "2026-03-31",
            "value": 3,
            "meter_replaced": True,
            "old_meter_final": 112,
        },
    )
    assert r.status_code == 201
    body = run(client, water)
    # usage 3.5 + (112 − 104) + 3 = 14.5 m³: 10 × 350 + 4.5 × 480.5 = 3500 + 2162.25 → 5662
    bill = Bill.objects.get(house=world.house)
    assert (bill.quantity, bill.amount_fen) == (Decimal("14.5"), 5662)
    assert [s["reason"] for s in body["skipped"]] == ["本期无抄表读数或缺少起始读数"]  # the neighbour
    assert verified()


def test_water_of_a_house_sold_in_the_period_is_one_bill_to_the_owner_of_its_last_day(world, api):
    client = api(world.staff)
    water = item_with_price(client, world, kind="water", price=350)
    house = f.house(f.unit(world.building), "501", area="89.50")
    people = hold(world, house, SOLD_ON_THE_15TH)
    readings = f"/billing/houses/{house.id}/readings"
    client.post(readings, {"kind": "water", "read_on": "2026-02-28", "value": "100"})
    client.post(readings, {"kind": "water", "read_on": "2026-03-31", "value": "112"})
    run(client, water)
    bill = Bill.objects.get(house=house)  # 12 m³ × 3.50 元 = 42 元: usage is the period's, not a day's
    assert (bill.payer_id, bill.period_start, bill.period_end, bill.amount_fen) == (
        people["买家"],
        date(2026, 3, 1),
        date(2026, 3, 31),
        4200,
    )
    assert verified()


def test_shared_area_is_allocated_to_the_fen(world, api):
    client = api(world.staff)
    item = item_with_price(client, world, kind="shared_area", price=0, cycle="monthly")
    missing = preview(client, item)
    assert missing.json()["code"] == "total_required"
    bad = preview(client, item, total_fen="100.5")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_amount")
    negative = preview(client, item, total_fen=-1)
    assert negative.json()["code"] == "invalid_amount"
    run(client, item, total_fen=10001)
    # 10001 × 89.5/209.5 = 4272.50, × 120/209.5 = 5728.50: floors 4272 + 5728, 1 fen to the first
    assert dict(Bill.objects.values_list("house_id", "amount_fen")) == {
        world.house.id: 4273,
        world.neighbour_house.id: 5728,
    }
    assert verified()


def test_void_and_reissue_after_an_area_correction(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    run(client, item)
    bill = Bill.objects.get(house=world.house)
    no_reason = client.post(f"/billing/bills/{bill.pk}/void", {"reason": " "})
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    world.house.area = Decimal("90.00")
    world.house.save()
    r = client.post(f"/billing/bills/{bill.pk}/void", {"reason": "面积登记有误，已更正", "reissue": True})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["bill"]["status"] == "void" and body["to_prepayment_fen"] == 0
    assert (body["reissued"]["amount_fen"], body["reissued"]["replaces_id"]) == (22500, bill.pk)
    again = client.post(f"/billing/bills/{bill.pk}/void", {"reason": "再次"})
    assert (again.status_code, again.json()["code"]) == (409, "bill_already_void")
    assert verified()


def test_a_reissue_after_the_handover_date_was_corrected_bills_the_voided_days_per_payer(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    house = f.house(f.unit(world.building), "501", area="89.50")
    people = hold(
        world,
        house,
        SOLD_ON_THE_15TH,
    )
    run(client, item)
    sellers, buyers = Bill.objects.filter(house=house).order_by("period_start")
    # The handover was on the 20th, not the 15th: the registry is corrected, the buyer's bill voided.
    Occupancy.objects.filter(house=house, person_id=people["卖家"]).update(valid_to=on("2026-03-19"))
    Occupancy.objects.filter(house=house, person_id=people["买家"]).update(valid_from=on("2026-03-20"))
    r = client.post(f"/billing/bills/{buyers.pk}/void", {"reason": "交房日期登记有误", "reissue": True})
    assert r.status_code == 200, r.json()
    body = r.json()
    # 22375 × 5/31 = 3608.87 for the seller's 15th–19th; 22375 × 12/31 = 8661.29 for the buyer's
    assert [
        (b["payer_id"], b["period_start"], b["period_end"], b["amount_fen"]) for b in body["reissued_bills"]
    ] == [
        (people["卖家"], "2026-03-15", "2026-03-19", 3609),
        (people["买家"], "2026-03-20", "2026-03-31", 8661),
    ]
    assert body["reissued"]["replaces_id"] == buyers.pk
    live = Bill.objects.filter(house=house).exclude(status=BillStatus.VOID).order_by("period_start")
    assert [(b.period_start.day, b.period_end.day) for b in live] == [(1, 14), (15, 19), (20, 31)]
    assert live[0].pk == sellers.pk  # the seller's first bill stays as it was
    assert verified()


def test_a_reissue_of_days_nobody_owns_any_more_is_refused_and_changes_nothing(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    house = f.house(f.unit(world.building), "501", area="89.50")
    hold(world, house, [("业主", "owner", on("2026-03-17"), OPEN, "")])
    run(client, item)
    bill = Bill.objects.get(house=house)
    Occupancy.objects.filter(house=house).update(valid_from=on("2026-04-01"))  # moved in later after all
    r = client.post(f"/billing/bills/{bill.pk}/void", {"reason": "入住日期有误", "reissue": True})
    assert (r.status_code, r.json()["code"]) == (400, "reissue_not_possible")
    assert "2026-03-17 至 2026-03-31 房屋无业主" in r.json()["message"]
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID
    assert verified()


def test_voiding_a_partly_paid_bill_moves_the_paid_part_to_prepayment(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    run(client, item)
    bill = Bill.objects.get(house=world.house)
    payment = Payment.objects.create(
        community=world.a,
        house=world.house,
        channel=Channel.CASH,
        amount_fen=10000,
        out_trade_no=new_trade_no(),
    )
    PaymentAllocation.objects.create(payment=payment, bill=bill, amount_fen=10000)
    settle(payment.pk)
    r = client.post(f"/billing/bills/{bill.pk}/void", {"reason": "重复收费"}).json()
    assert r["to_prepayment_fen"] == 10000 and r["reissued"] is None
    assert HouseAccount.objects.get(house=world.house).prepaid_fen == 10000
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.VOID
    assert verified()


def test_a_void_that_cannot_be_reissued_changes_nothing(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    run(client, item)
    bill = Bill.objects.get(house=world.house)
    FeeStandard.objects.update(published_at=None)  # no published standard any more
    r = client.post(f"/billing/bills/{bill.pk}/void", {"reason": "重开", "reissue": True})
    assert (r.status_code, r.json()["code"]) == (400, "reissue_not_possible")
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.UNPAID
    assert verified()


def test_the_front_desk_may_neither_run_nor_void(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    run(client, item)
    desk = api(world.front_desk)
    assert preview(desk, item, "2026-04-01").status_code == 403
    assert desk.post(f"/billing/bills/{Bill.objects.first().pk}/void", {"reason": "x"}).status_code == 404


def test_a_period_must_start_on_the_first_and_the_item_be_active(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    r = preview(client, item, "2026-03-17")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_period")
    client.patch(f"/billing/fee-items/{item['id']}", {"active": False})
    off = preview(client, item)
    assert (off.status_code, off.json()["code"]) == (400, "fee_item_inactive")
    assert not BillingRun.objects.exists()


def test_closed_parking_stays_are_billed_once(world, api):
    from linli.access.models import AccessPoint, ParkingRecord

    client = api(world.staff)
    item = item_with_price(
        client,
        world,
        kind="parking_temporary",
        cycle="once",
        price=500,
        standard={"free_minutes": 30, "period_minutes": 60, "daily_cap_fen": 3000},
    )
    gate = AccessPoint.objects.create(community=world.a, name="车库入口", kind="garage_barrier")
    at = datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def stay(plate, minutes):
        exited = at + timedelta(minutes=minutes) if minutes is not None else None
        return ParkingRecord.objects.create(
            community=world.a,
            plate=plate,
            plate_bidx=plate,
            entry_point=gate,
            entered_at=at,
            exited_at=exited,
        )

    charged, _free, _open = stay("京A1", 130), stay("京A2", 20), stay("京A3", None)
    r = client.post(f"/billing/fee-items/{item['id']}/bill-parking").json()
    assert r == {"bill_count": 1, "total_fen": 1500, "free": 1, "without_standard": 0}
    bill = Bill.objects.get()
    assert (bill.parking_record_id, bill.house_id, bill.payer_id) == (charged.pk, None, None)
    again = client.post(f"/billing/fee-items/{item['id']}/bill-parking").json()
    assert again["bill_count"] == 0 and Bill.objects.count() == 1
    assert verified()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_posting_the_same_period_at_once_bill_each_house_once(world, api):
    import threading

    from django.db import connection

    from linli.billing.services.runs import do_post_run
    from linli.core.errors import Conflict

    client = api(world.staff)
    item = item_with_price(client, world)
    sold = f.house(f.unit(world.building), "501", area="89.50")
    hold(world, sold, SOLD_ON_THE_15TH)
    previews = [BillingRun.objects.get(pk=preview(client, item).json()["run"]["id"]) for _ in range(2)]
    outcomes = []

    def post(run):
        try:
            do_post_run(actor=world.staff, run=run)
            outcomes.append("posted")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(run,)) for run in previews]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["period_already_billed", "posted"]
    assert Bill.objects.count() == 4  # the world's two houses once, the sold one once per owner
    assert verified()


def test_a_house_that_prepaid_has_its_new_bill_settled_when_the_run_posts(world, api):
    client = api(world.staff)
    item = item_with_price(client, world)
    prepay = Payment.objects.create(
        community=world.a,
        house=world.house,
        channel=Channel.CASH,
        purpose="prepay",
        amount_fen=30000,
        out_trade_no=new_trade_no(),
    )
    settle(prepay.pk)
    run(client, item)
    bill = Bill.objects.get(house=world.house)
    assert (bill.status, bill.paid_fen) == (BillStatus.PAID, 22375)  # 89.50 × 2.50 元, at once
    assert HouseAccount.objects.get(house=world.house).prepaid_fen == 30000 - 22375
    assert Bill.objects.get(house=world.neighbour_house).status == BillStatus.UNPAID
    assert verified()
