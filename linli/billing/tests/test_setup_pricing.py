"""What a bill comes to, hand-computed (the rules are linli/billing/pricing.py's docstring)."""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from linli.billing import pricing
from linli.billing.pricing import Reading

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("exact", "fen"),
    [
        (Fraction(1, 2), 1),  # half up, not to even
        (Fraction(5, 2), 3),
        (Fraction(4999, 10000), 0),
        (D("1.49"), 1),
        (D("10826.6129"), 10827),
        (0, 0),
    ],
)
def test_a_bill_rounds_half_up_to_a_whole_fen(exact, fen):
    assert pricing.round_fen(exact) == fen


@pytest.mark.parametrize(
    ("why", "start", "end", "area", "price", "fen", "months"),
    [
        # 89.50 ㎡ × 250 fen (2.50 元/㎡·月) × 1 month = 22375
        ("a whole month", date(2026, 3, 1), date(2026, 3, 31), "89.50", "250", 22375, ["1"]),
        # move-in on 17 March: 17th–31st is 15 of 31 days; 22375 × 15/31 = 10826.61 → 10827
        ("move-in on the 17th", date(2026, 3, 17), date(2026, 3, 31), "89.50", "250", 10827, ["15/31"]),
        # a quarter is the sum of its months: 22375 × 3 = 67125
        ("a whole quarter", date(2026, 1, 1), date(2026, 3, 31), "89.50", "250", 67125, ["1", "1", "1"]),
        # a quarter with a move-in on 17 Feb (12 of 28 days = 3/7): 22375 × (3/7 + 1) = 31964.29
        ("a part quarter", date(2026, 2, 17), date(2026, 3, 31), "89.50", "250", 31964, ["3/7", "1"]),
        # a year: 120 ㎡ × 1.85 fen × 12 months = 2664
        ("a whole year", date(2026, 1, 1), date(2026, 12, 31), "120.00", "1.85", 2664, ["1"] * 12),
        # rounded once: 106 × 15/31 = 51.29 and 106 × 12/28 = 45.43 make 96.72 → 97 (not 51 + 45)
        ("rounded once per bill", date(2026, 1, 17), date(2026, 2, 12), "1", "106", 97, ["15/31", "3/7"]),
        # a fine unit price: 89.50 × 0.5283 = 47.28 → 47
        ("a price finer than a fen", date(2026, 4, 1), date(2026, 4, 30), "89.50", "0.5283", 47, ["1"]),
    ],
)
def test_per_month_charges_pro_rate_part_months_by_days(why, start, end, area, price, fen, months):
    priced = pricing.per_month(start=start, end=end, price_fen=D(price), quantity=D(area), unit="㎡")
    assert priced.amount_fen == fen, why
    assert [line["months"] for line in priced.lines[:-1]] == months
    assert priced.lines[-1]["amount_fen"] == fen


def test_the_lines_show_a_resident_how_the_bill_was_made():
    priced = pricing.per_month(
        start=date(2026, 3, 17), end=date(2026, 3, 31), price_fen=D("250"), quantity=D("89.50"), unit="㎡"
    )
    assert priced.lines == [
        {
            "label": "2026-03（17日至31日）",
            "quantity": "89.50",
            "unit": "㎡",
            "price_fen": "250",
            "months": "15/31",
            "exact_fen": "10826.6129",
        },
        {"label": "合计（四舍五入到分）", "exact_fen": "10826.6129", "amount_fen": 10827},
    ]


SELLER, BUYER, THIRD, TENANT = 1, 2, 3, 9
Span = pricing.Span


def march(day: int) -> date:
    return date(2026, 3, day)


@pytest.mark.parametrize(
    ("why", "owners", "tenants", "segments"),
    [
        ("one owner all month", [Span(SELLER, date(2020, 1, 1))], [], [(SELLER, 1, 31)]),
        (
            "sold on the 15th",
            [Span(SELLER, date(2020, 1, 1), march(14)), Span(BUYER, march(15))],
            [],
            [(SELLER, 1, 14), (BUYER, 15, 31)],
        ),
        (
            "a co-owner with a later occupancy changes nothing",
            [Span(SELLER, date(2020, 1, 1)), Span(BUYER, march(10))],
            [],
            [(SELLER, 1, 31)],
        ),
        (
            "nobody owns it between two owners",
            [Span(SELLER, date(2020, 1, 1), march(10)), Span(BUYER, march(21))],
            [],
            [(SELLER, 1, 10), (None, 11, 20), (BUYER, 21, 31)],
        ),
        ("a move-in on the last day", [Span(BUYER, march(31))], [], [(None, 1, 30), (BUYER, 31, 31)]),
        ("a move-in on the 1st", [Span(BUYER, march(1))], [], [(BUYER, 1, 31)]),
        (
            "a tenant pays from the 10th to the 20th",
            [Span(SELLER, date(2020, 1, 1))],
            [Span(TENANT, march(10), march(20))],
            [(SELLER, 1, 9), (TENANT, 10, 20), (SELLER, 21, 31)],
        ),
        (
            "a lease without an owner pays nothing",
            [Span(BUYER, march(15))],
            [Span(TENANT, march(1), march(31))],
            [(None, 1, 14), (TENANT, 15, 31)],
        ),
        (
            "the same owner twice in a row is one stretch",
            [Span(SELLER, date(2020, 1, 1), march(9)), Span(SELLER, march(10))],
            [],
            [(SELLER, 1, 31)],
        ),
        ("nobody at all", [], [Span(TENANT, march(1), march(31))], [(None, 1, 31)]),
    ],
)
def test_who_pays_is_decided_day_by_day(why, owners, tenants, segments):
    got = pricing.payer_segments(march(1), march(31), owners, tenants)
    assert [(s.payer_id, s.first.day, s.last.day) for s in got] == segments, why


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 1), 1, date(2026, 1, 31)),
        (date(2026, 2, 1), 1, date(2026, 2, 28)),
        (date(2028, 2, 1), 1, date(2028, 2, 29)),
        (date(2026, 11, 1), 3, date(2027, 1, 31)),
        (date(2026, 1, 1), 12, date(2026, 12, 31)),
    ],
)
def test_a_cycle_ends_on_the_last_day_of_its_last_month(start, months, end):
    assert pricing.cycle_end(start, months) == end


WATER = [[180, 500], [260, 700], [None, 900]]  # fen per m³: 5, 7, 9 元


@pytest.mark.parametrize(
    ("usage", "tiers", "price", "fen", "bands"),
    [
        # 180 × 500 + 80 × 700 + 40 × 900 = 90000 + 56000 + 36000
        ("300", WATER, "0", 182000, 3),
        ("100", WATER, "0", 50000, 1),
        ("180", WATER, "0", 90000, 1),  # exactly the first tier's top
        ("0", WATER, "0", 0, 0),
        # 10 × 350 + 2.345 × 480 = 3500 + 1125.6 → 4626
        ("12.345", [[10, "350"], [None, "480.0000"]], "0", 4626, 2),
        # no tiers: 123.4 kWh × 52.83 fen (0.5283 元) = 6519.222 → 6519
        ("123.4", [], "52.83", 6519, 1),
    ],
)
def test_tiered_prices_apply_to_the_periods_usage(usage, tiers, price, fen, bands):
    priced = pricing.tiered(usage=D(usage), tiers=tiers, price_fen=D(price), unit="m³")
    assert priced.amount_fen == fen
    assert len(priced.lines) == bands + 1


@pytest.mark.parametrize(
    ("previous", "reading", "used"),
    [
        ("1234.5", Reading(D("1240.0")), "5.5"),
        # the old meter 1234.5 → 1250.0 (15.5), the new one 0 → 8.2
        ("1234.5", Reading(D("8.2"), meter_replaced=True, old_meter_final=D("1250.0")), "23.7"),
    ],
)
def test_usage_counts_both_meters_across_a_meter_change(previous, reading, used):
    assert pricing.usage(D(previous), reading) == D(used)


def test_usage_along_a_chain_of_readings():
    chain = [
        Reading(D(100)),
        Reading(D(130)),
        Reading(D(5), meter_replaced=True, old_meter_final=D(150)),
        Reading(D(20)),
    ]
    assert pricing.usage_over(chain) == D(70)  # 30 + (20 + 5) + 15


@pytest.mark.parametrize(
    ("total", "areas", "parts"),
    [
        # 10000 × 89.50/269.75 = 3317.89, × 120/269.75 = 4448.56, × 60.25/269.75 = 2233.55:
        # floors 9998, the 2 fen left go to the two largest remainders (.89, .56)
        (10000, {"a": "89.50", "b": "120.00", "c": "60.25"}, {"a": 3318, "b": 4449, "c": 2233}),
        (100, {"a": "1", "b": "1", "c": "1"}, {"a": 34, "b": 33, "c": 33}),  # ties: in order
        (1, {"a": "1", "b": "1", "c": "1"}, {"a": 1, "b": 0, "c": 0}),
        (0, {"a": "5"}, {"a": 0}),
    ],
)
def test_shared_area_parts_add_up_to_the_total_exactly(total, areas, parts):
    allocated = pricing.allocate(total, {k: D(v) for k, v in areas.items()})
    assert allocated == parts
    assert sum(allocated.values()) == total


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("entered", "exited", "fen", "days"),
    [
        ("2026-03-01 10:00", "2026-03-01 10:20", 0, 0),  # within 30 free minutes
        ("2026-03-01 10:00", "2026-03-01 10:30", 0, 0),  # exactly the free minutes
        ("2026-03-01 10:00", "2026-03-01 10:31", 500, 1),  # charged from entry: 1 started hour
        ("2026-03-01 10:00", "2026-03-01 12:10", 1500, 1),  # hours started 10, 11, 12
        ("2026-03-01 10:00", "2026-03-01 23:59", 3000, 1),  # 14 hours = 7000, capped at 3000
        # 22:00 and 23:00 on the 1st (1000), 24 hours on the 2nd (capped 3000), 0:00 and 1:00 on
        # the 3rd (1000)
        ("2026-03-01 22:00", "2026-03-03 01:30", 5000, 3),
        # an hour started at 23:30 counts on the 1st, the one started at 0:30 on the 2nd
        ("2026-03-01 23:30", "2026-03-02 00:40", 1000, 2),
    ],
)
def test_temporary_parking(entered, exited, fen, days):
    priced = pricing.parking_fee(
        entered_at=at(entered),
        exited_at=at(exited),
        free_minutes=30,
        period_minutes=60,
        price_fen=D(500),
        daily_cap_fen=3000,
    )
    assert priced.amount_fen == fen
    assert len([line for line in priced.lines if "capped" in line]) == days  # one line a day


def test_parking_days_are_local_calendar_days_and_a_fine_price_rounds_once():
    # 15:30 UTC is 23:30 in Shanghai: the first hour is on the 1st, the next two on the 2nd.
    priced = pricing.parking_fee(
        entered_at=datetime(2026, 3, 1, 15, 30, tzinfo=ZoneInfo("UTC")),
        exited_at=datetime(2026, 3, 1, 18, 0, tzinfo=ZoneInfo("UTC")),
        free_minutes=0,
        period_minutes=60,
        price_fen=D("250.5"),
        daily_cap_fen=None,
    )
    assert [line["label"] for line in priced.lines[:-1]] == ["2026-03-01", "2026-03-02"]
    assert priced.amount_fen == 752  # 3 × 250.5 = 751.5 → 752
