"""Charging as people see it on screen: a resident opens the 充电 tile (or scans a charger's code,
which chooses the charger and port), starts charging, watches the countdown and stops it; staff
see every port live, stop a session, set the tariff (a wrong price is refused in Chinese and
nothing changes) and bill the ended sessions now."""

import time

import pytest

from linli.billing.choices import FeeKind
from linli.billing.models import Bill
from linli.iot.models import ChargingSession, Command, Tariff
from linli.testing import billing_money, iot

INGEST = "/api/v1/iot/ingest/a/ev-b1/status"


@pytest.fixture
def ev(client, world):
    made = iot.chargers(world)
    ports = [{"port": n, "state": "free" if n != 4 else "charging", "power": 0} for n in range(1, 5)]
    r = client.post(
        INGEST, iot.body(made.tokens["ev-b1"], ts=time.time(), ports=ports), content_type="application/json"
    )
    assert r.status_code == 202, r.content
    client.logout()
    return made


@pytest.mark.django_db
def test_a_resident_scans_a_charger_starts_sees_the_countdown_and_stops(client, world, ev):
    client.force_login(world.owner)
    services = client.get("/services/").content.decode()
    assert 'data-tile="charging"' in services and "/iot/charging/" in services

    page = client.get(f"/iot/charging/?device={ev.ebike.pk}&port=2").content.decode()
    assert f'<option value="{ev.ebike.pk}" selected>' in page and 'value="2"' in page
    assert "空闲端口 1、2、3" in page, "port 4 is in use"

    done = client.post("/iot/charging/", {"device": ev.ebike.pk, "port": 2, "minutes": "60"}, follow=True)
    assert "已发送开始充电指令" in done.content.decode()
    session = ChargingSession.objects.get()
    assert (session.port, session.planned_minutes, session.house_id) == (2, 60, world.house.pk)
    assert Command.objects.get(device=ev.ebike).params == {"port": 2, "minutes": 60}

    ChargingSession.objects.filter(pk=session.pk).update(status="charging", started_at=session.created_at)

    busy = client.post("/iot/charging/", {"device": ev.ebike.pk, "port": 4, "minutes": "full"}, follow=True)
    assert "该端口暂不可用" in busy.content.decode()
    assert ChargingSession.objects.count() == 1

    live = client.get("/iot/charging/mine").content.decode()
    assert f'data-session="{session.pk}"' in live and "结束充电" in live

    stopped = client.post(f"/iot/charging/{session.pk}/stop", follow=True)
    assert "已结束充电" in stopped.content.decode()
    assert ChargingSession.objects.get().status == "done"
    assert Command.objects.filter(device=ev.ebike, name="stop").exists()


@pytest.mark.django_db
def test_someone_elses_session_cannot_be_stopped_from_the_resident_page(client, world, ev):
    client.force_login(world.owner)
    client.post("/iot/charging/", {"device": ev.ebike.pk, "port": 1, "minutes": "60"})
    session = ChargingSession.objects.get()
    client.force_login(world.outsider)
    assert client.post(f"/iot/charging/{session.pk}/stop").status_code == 404
    assert ChargingSession.objects.get().status == "starting"


@pytest.mark.django_db
def test_staff_see_the_ports_stop_a_session_set_the_tariff_and_bill_now(client, world, ev):
    client.force_login(world.owner)
    client.post("/iot/charging/", {"device": ev.ebike.pk, "port": 1, "minutes": "60"})
    session = ChargingSession.objects.get()

    client.force_login(world.staff)
    base = f"/iot/staff/{world.a.id}/chargers/"
    page = client.get(base).content.decode()
    assert f'data-charger="{ev.ebike.pk}"' in page and 'data-port="4" data-state="charging"' in page
    assert f'data-session="{session.pk}"' in page

    stopped = client.post(f"{base}{session.pk}/stop", follow=True)
    assert "已结束充电" in stopped.content.decode()
    assert ChargingSession.objects.get().stop_reason == "staff"

    item = billing_money.fee_item(world.a, kind=FeeKind.ONE_OFF, name="充电费", price="0")
    refused = client.post(
        f"{base}tariff",
        {"ebike_yuan_per_hour": "999", "ebike_max_minutes": "480", "car_yuan_per_kwh": "1.5"},
        follow=True,
    )
    assert "数值应在0到10000之间" in refused.content.decode()
    assert not Tariff.objects.filter(ebike_fen_per_hour=99900).exists()
    saved = client.post(
        f"{base}tariff",
        {
            "ebike_yuan_per_hour": "1.2",
            "ebike_max_minutes": "480",
            "car_yuan_per_kwh": "1.5",
            "fee_item": item.pk,
        },
        follow=True,
    )
    assert "充电收费标准已保存" in saved.content.decode()
    tariff = Tariff.objects.get(community=world.a)
    assert (tariff.ebike_fen_per_hour, tariff.fee_item_id) == (120, item.pk)

    ChargingSession.objects.filter(pk=session.pk).update(amount_fen=80)
    billed = client.post(f"{base}bill", follow=True)
    assert "已出账 1 张" in billed.content.decode()
    assert Bill.objects.get(fee_item=item).amount_fen == 80


@pytest.mark.django_db
def test_a_technician_sees_the_chargers_but_not_the_tariff_form(client, world, ev):
    client.force_login(world.technician)
    page = client.get(f"/iot/staff/{world.a.id}/chargers/")
    assert page.status_code == 200
    assert 'id="tariff"' not in page.content.decode()
    assert client.post(f"/iot/staff/{world.a.id}/chargers/tariff", {}).status_code in (403, 404)
