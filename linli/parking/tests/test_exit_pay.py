"""A visitor pays at the exit (PARK-1), through the terminal simulator at the barriers and a
browser-less client as the driver's phone: plate read → held with the fee and its link → paid
in the sandbox (signed notification, the same path as WeChat Pay's) → the barrier the car waits
at gets an open command; paid early in the app → out by the plate read within the grace period,
a top-up after it; cash at the booth; a visitor's pass and a community without a fee leave free.
"""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.access.models import AccessEvent, ParkingRecord, SecurityEvent
from linli.access.sim import TerminalSimulator
from linli.billing.choices import BillStatus
from linli.billing.models import Bill, Payment
from linli.billing.services import ledger
from linli.testing.access import ClientTransport, install
from linli.testing.parking import temporary_tariff

PLATE = "粤B99999"


@pytest.fixture
def site(world):
    return install(world)


@pytest.fixture
def lanes(site):
    return TerminalSimulator(ClientTransport(site.token("barrier"))), TerminalSimulator(
        ClientTransport(site.token("barrier_out"))
    )


def at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 12, 7, 10)) + timedelta(hours=hour - 10, minutes=minute)


def pay_in_sandbox(phone: Client, link: str) -> None:
    r = phone.post(link, {"channel": "sandbox"})
    assert r.status_code == 302 and "/billing/sandbox/pay/" in r.url, r
    confirmed = phone.post(r.url)  # 确认支付: the sandbox signs WeChat Pay's notification
    assert (confirmed.status_code, confirmed.url) == (302, link)


def held_at_exit(world, lanes, clock, hour: int, minute: int = 0):
    """The community charges; the car came in at 10:00 and is read at the exit at hour:minute."""
    temporary_tariff(world.a)
    entry, exit_lane = lanes
    clock.set(at(10))
    entry.read_plate(PLATE)
    clock.set(at(hour, minute))
    return exit_lane.read_plate(PLATE)


def balanced():
    report = ledger.verify()
    assert report.ok, report.problems
    return True


def test_a_driver_pays_by_the_barriers_code_and_the_barrier_opens(world, lanes, site, clock):
    temporary_tariff(world.a)
    entry, exit_lane = lanes
    clock.set(at(10))
    assert entry.read_plate(PLATE).reason == "temporary_parking"
    clock.set(at(12, 10))  # 2 h 10 min: three started hours at 5 元
    held = exit_lane.read_plate(PLATE)
    assert (held.allow, held.reason, held.detail["fee_fen"]) == (False, "parking_fee_unpaid", 1500)
    assert not SecurityEvent.objects.exists()  # a fee to pay is not a security concern
    again = exit_lane.read_plate(PLATE)  # the camera reads it again while the driver pays
    assert again.detail["pay"] == held.detail["pay"] and Bill.objects.count() == 1

    phone = Client()  # the driver's phone: no account here
    page = phone.get(held.detail["pay"]).content.decode()
    assert "¥15.00" in page and PLATE not in page  # the plate is masked even to its holder's link
    pay_in_sandbox(phone, held.detail["pay"])

    commands = exit_lane.commands()
    assert [c["method"] for c in commands] == ["app"]
    record = ParkingRecord.objects.get()
    assert (record.exited_at, record.exit_point_id) == (at(12, 10), site.barrier_out.pk)
    opened = AccessEvent.objects.get(pk=commands[0]["event"])
    assert (opened.allowed, opened.reason) == (True, "parking_fee_paid")
    assert Bill.objects.get().status == BillStatus.PAID
    assert "车辆已离场" in phone.get(held.detail["pay"]).content.decode()
    assert exit_lane.read_plate(PLATE).allow  # a late read of the same car is never trapped
    assert balanced()


def test_paid_early_leaves_within_the_grace_period_and_tops_up_after_it(world, lanes, api, clock):
    temporary_tariff(world.a)
    entry, exit_lane = lanes
    clock.set(at(10))
    entry.read_plate(PLATE)
    clock.set(at(11))  # the host pays for their guest from the app: one hour, 5 元
    host = Client()
    host.force_login(world.owner)
    found = host.post("/parking/pay/", {"plate": "粤b 99999"})
    assert found.status_code == 302, found.content.decode()
    link = found.url
    assert "¥5.00" in host.get(link).content.decode()
    pay_in_sandbox(host, link)
    assert exit_lane.commands() == []  # the car is not at a barrier: nothing to open
    assert "已缴费" in host.get(link).content.decode()

    clock.set(at(11, 20))  # 20 minutes after paying: past the 15 minutes' grace, a second hour begun
    late = exit_lane.read_plate(PLATE)
    assert (late.allow, late.reason, late.detail["fee_fen"]) == (False, "parking_fee_unpaid", 500)
    pay_in_sandbox(host, late.detail["pay"])
    assert len(exit_lane.commands()) == 1
    assert sorted(Bill.objects.values_list("amount_fen", "status")) == [(500, "paid"), (500, "paid")]
    assert balanced()


def test_within_the_grace_period_the_plate_read_lets_the_car_out(world, lanes, clock):
    _entry, exit_lane = lanes
    link = held_at_exit(world, lanes, clock, 13).detail["pay"]
    phone = Client()
    clock.set(at(13, 1))
    pay_in_sandbox(phone, link)
    exit_lane.commands()  # opened while it waited; the driver backed away instead
    ParkingRecord.objects.update(exited_at=None, exit_point=None)
    clock.set(at(13, 14))
    out = exit_lane.read_plate(PLATE)
    assert (out.allow, out.reason) == (True, "temporary_parking")
    assert ParkingRecord.objects.get().exited_at == at(13, 14)


def test_the_guard_takes_cash_at_the_booth_and_the_barrier_opens(world, lanes, clock):
    _entry, exit_lane = lanes
    held_at_exit(world, lanes, clock, 10, 45)
    booth = Client()
    booth.force_login(world.front_desk)
    url = f"/parking/staff/{world.a.id}/exits/"
    page = booth.get(url).content.decode()
    assert "等待抬杆" in page and "¥5.00" in page and PLATE not in page
    stay = ParkingRecord.objects.get()
    form = {"stay": stay.pk, "channel": "cash", "key": "booth-1"}
    assert booth.post(url, form).status_code == 302
    assert booth.post(url, form).status_code == 302  # the same form twice takes the money once
    assert [c["method"] for c in exit_lane.commands()] == ["manual"]
    payment = Payment.objects.get()
    assert (payment.channel, payment.amount_fen, payment.house_id) == ("cash", 500, None)
    assert balanced()


def test_staff_without_collection_rights_cannot_take_the_fee(world, lanes, clock):
    held_at_exit(world, lanes, clock, 11)
    stay = ParkingRecord.objects.get()
    for who in (world.outsider, world.technician, world.owner):
        c = Client()
        c.force_login(who)
        r = c.post(f"/parking/staff/{world.a.id}/exits/", {"stay": stay.pk, "channel": "cash", "key": "x"})
        assert r.status_code in (403, 404) or "/exits/" not in r["Location"], who  # a resident: sent home
    assert not Payment.objects.exists() and ParkingRecord.objects.get().exited_at is None


def test_a_visitors_pass_and_a_community_without_a_fee_leave_free(world, lanes, clock):
    entry, exit_lane = lanes
    clock.set(at(10))
    entry.read_plate(PLATE)
    clock.set(at(15))
    out = exit_lane.read_plate(PLATE)  # no temporary parking fee set: free, as before billing
    assert (out.allow, out.reason) == (True, "temporary_parking")
    assert not Bill.objects.exists()


def test_within_the_free_minutes_nothing_is_owed(world, lanes, clock):
    assert held_at_exit(world, lanes, clock, 10, 25).allow and not Bill.objects.exists()


def test_a_forged_or_unknown_link_finds_nothing(world):
    assert Client().get("/parking/exit/forged:token/").status_code == 404
