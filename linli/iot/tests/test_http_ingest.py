"""Devices posting over HTTP (the embedded default has no broker): the garage's CO rises and
stays, the fans go on and a work order opens; a car stays in the fire lane and, after the dwell
time, the alarm and the broadcast come, and clear when it leaves; what devices get wrong is
refused and counted, and never stops the good messages around it."""

import time
from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from linli.iot.choices import AlarmStatus, CommandStatus
from linli.iot.ingest import http
from linli.iot.ingest.pipeline import BURST
from linli.iot.models import Alarm, AlarmLog, Broadcast, Command, Device, DeviceState, Reading, Rule
from linli.iot.services import upkeep
from linli.notify.fakes import sms_outbox  # noqa: F401  (the recording SMS gateway fixture)
from linli.notify.models import Notification
from linli.notify.services import do_set_preferences
from linli.notify.topics import Choice
from linli.testing import factories as f
from linli.testing import iot
from linli.testing import workorders as wo
from linli.workorders.models import Request

URL = "/api/v1/iot/ingest/a/{code}/{channel}"


def post(client, code, channel, payload: bytes, **headers):
    return client.post(
        URL.format(code=code, channel=channel), payload, content_type="application/json", **headers
    )


@pytest.fixture
def site(world):
    wo.crew(world)
    return iot.site(world)


@pytest.mark.django_db
def test_co_above_the_limit_for_two_minutes_turns_the_fans_on_and_opens_a_work_order(client, site):
    token = site.tokens["co-b1"]
    start = time.time() - 200
    for offset, co in ((0, 80), (60, 95), (110, 90)):
        assert (
            post(
                client, "co-b1", "telemetry", iot.body(token, ts=start + offset, values={"co": co})
            ).status_code
            == 202
        )
    assert not Alarm.objects.exists(), "not yet two minutes"
    assert (
        post(client, "co-b1", "telemetry", iot.body(token, ts=start + 125, values={"co": 88})).status_code
        == 202
    )

    alarm = Alarm.objects.get()
    assert (alarm.type, alarm.severity, alarm.status, alarm.count) == ("co_high", "critical", "active", 1)
    fan_on = Command.objects.get(device=site.fan)
    assert (fan_on.name, fan_on.status, fan_on.alarm_id) == ("fan_on", CommandStatus.PENDING, alarm.pk)
    order = Request.objects.get(pk=alarm.request_id)
    assert order.building_id == site.co.building_id and order.source == "sensor"
    assert Reading.objects.filter(device=site.co, key="co").count() == 4
    assert DeviceState.objects.get(device=site.co).values == {"co": 88.0}

    # still high: the same alarm counts, no second one; back to normal: cleared
    post(client, "co-b1", "telemetry", iot.body(token, ts=start + 150, values={"co": 5}))
    post(client, "co-b1", "telemetry", iot.body(token, ts=start + 160, values={"co": 99}))
    assert Alarm.objects.get().status == AlarmStatus.CLEARED
    assert Request.objects.count() == 1

    # the fan answers the command over HTTP too
    fetched = client.get(
        "/api/v1/iot/ingest/a/fan-b1/commands", HTTP_AUTHORIZATION=f"Bearer {site.tokens['fan-b1']}"
    )
    assert [c["name"] for c in fetched.json()["commands"]] == ["fan_on"]
    uid = fetched.json()["commands"][0]["id"]
    post(client, "fan-b1", "status", iot.body(site.tokens["fan-b1"], command=uid, result="ok"))
    assert Command.objects.get(pk=fan_on.pk).status == CommandStatus.ACKED


@pytest.mark.django_db
def test_smoke_in_a_building_tells_the_people_living_there_by_sms_whatever_they_chose(
    client,
    site,
    world,
    sms_outbox,  # noqa: F811  (the fixture imported above)
    inline_tasks,
    django_capture_on_commit_callbacks,
):
    elsewhere = f.user("elsewhere", phone="13900000008")
    f.occupy(
        f.house(f.unit(f.building(world.a, "2号楼")), "101"),
        f.person(world.a, "周二楼", login=elsewhere),
        "owner",
    )
    do_set_preferences(actor=world.owner, items=[Choice("iot.building", "sms", False)])
    reading = iot.body(site.tokens["smoke-b1"], values={"smoke": 0.9, "battery": 80})
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "smoke-b1", "telemetry", reading).status_code == 202
    alarm = Alarm.objects.get(type="smoke")
    told = Notification.objects.filter(kind="iot.building.critical")
    assert set(told.values_list("recipient_id", flat=True)) == {
        world.owner.pk,
        world.tenant.pk,
        world.neighbour.pk,
    }
    message = told.first()
    assert (
        message.title == f"安全提醒：{alarm.title}"
        and "1号楼 3F" in message.body
        and "勿乘电梯" in message.body
    )
    # Critical: texted too, even to the owner who turned these texts off.
    texted = [m.phone for m in sms_outbox if m.template == "notification"]
    assert sorted(texted) == ["13800000001", "13800000002", "13800000003"]
    assert AlarmLog.objects.get(alarm=alarm, kind="residents").note == "3"


@pytest.mark.parametrize("wider", ["area_community", "device_outside_buildings"])
@pytest.mark.django_db
def test_an_alarm_for_the_community_or_from_outside_any_building_tells_everyone_living_there(
    client, site, world, inline_tasks, django_capture_on_commit_callbacks, wider
):
    elsewhere = f.user("elsewhere", phone="13900000008")
    f.occupy(
        f.house(f.unit(f.building(world.a, "2号楼")), "101"),
        f.person(world.a, "周二楼", login=elsewhere),
        "owner",
    )
    if wider == "area_community":
        rule = Rule.objects.get(community=world.a, alarm_type="smoke")
        rule.actions = [{**a, "area": "community"} if a["type"] == "residents" else a for a in rule.actions]
        rule.save(update_fields=["actions"])
    else:  # a detector in the bicycle shed, which belongs to no building
        Device.objects.filter(pk=site.smoke.pk).update(building=None, floor=None)
    reading = iot.body(site.tokens["smoke-b1"], values={"smoke": 0.9, "battery": 80})
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "smoke-b1", "telemetry", reading).status_code == 202
    told = Notification.objects.filter(kind="iot.building.critical")
    assert set(told.values_list("recipient_id", flat=True)) == {
        world.owner.pk,
        world.tenant.pk,
        world.neighbour.pk,
        elsewhere.pk,
    }
    assert not told.filter(recipient__in=[world.staff, world.outsider]).exists()


@pytest.mark.django_db
def test_a_car_in_the_fire_lane_raises_the_alarm_and_a_broadcast_after_the_dwell_time(client, site):
    token = site.tokens["cam-b1"]
    started = time.time() - 700
    event = {
        "event": "fire_lane",
        "state": "start",
        "track": "car-17",
        "snapshot": "https://nvr.example/s/1.jpg",
    }
    assert post(client, "cam-b1", "event", iot.body(token, ts=started, **event)).status_code == 202
    upkeep.tick_idle(timezone.now() - timedelta(seconds=200))  # 500 s in: not yet
    assert not Alarm.objects.exists()

    upkeep.tick_idle(timezone.now())  # 700 s in
    alarm = Alarm.objects.get()
    assert (alarm.type, alarm.snapshot_url, alarm.details["track"]) == (
        "fire_lane",
        event["snapshot"],
        "car-17",
    )
    assert Broadcast.objects.get().speakers == 1
    speak = Command.objects.get(device=site.speaker)
    assert speak.name == "speak" and "消防通道" in speak.params["text"]
    assert Request.objects.get(pk=alarm.request_id).kind == "incident"

    end = {"event": "fire_lane", "state": "end", "track": "car-17"}
    post(client, "cam-b1", "event", iot.body(token, **end))
    assert Alarm.objects.get().status == AlarmStatus.CLEARED


@pytest.mark.django_db
def test_a_moment_from_height_is_an_alarm_with_the_floors_and_does_not_clear_itself(client, site):
    token = site.tokens["cam-b1"]
    throw = {
        "event": "high_throw",
        "state": "once",
        "snapshot": "https://nvr.example/s/2.jpg",
        "data": {"floors": [12, 15], "face": "east"},
    }
    assert post(client, "cam-b1", "event", iot.body(token, **throw)).status_code == 202
    alarm = Alarm.objects.get()
    assert alarm.details["camera"] == {"floors": [12, 15], "face": "east"}
    assert alarm.snapshot_url == "https://nvr.example/s/2.jpg"
    assert alarm.status == AlarmStatus.ACTIVE
    post(client, "cam-b1", "event", iot.body(token, **throw))
    assert Alarm.objects.get().count == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code,channel,payload,headers,status,reason",
    [
        ("co-b1", "telemetry", b"{not json", {}, 400, "malformed"),
        ("co-b1", "telemetry", b"[1, 2]", {}, 400, "malformed"),
        ("nobody", "telemetry", None, {}, 404, "unknown_device"),
        ("co-b1", "telemetry", "wrong", {}, 401, "bad_token"),
        ("co-b1", "telemetry", "fan", {}, 401, "bad_token"),  # the fan's token on the CO detector's topic
        ("co-b1", "telemetry", {"values": {"co": "high"}}, {}, 400, "bad_value"),
        ("co-b1", "telemetry", {"values": {"co": 99999}}, {}, 400, "bad_value"),
        ("co-b1", "telemetry", {"values": {"temperature": 20}}, {}, 400, "bad_value"),
        ("co-b1", "telemetry", {"values": {"co": 1}, "ts": time.time() + 3600}, {}, 400, "bad_time"),
        (
            "co-b1",
            "event",
            {"event": "x", "state": "start", "snapshot": "http://plain/1.jpg"},
            {},
            400,
            "bad_value",
        ),
    ],
)
def test_bad_messages_are_refused_counted_and_the_good_ones_still_land(
    client, site, code, channel, payload, headers, status, reason
):
    token = site.tokens["co-b1"]
    if payload is None:
        raw = iot.body(token, values={"co": 1})
    elif payload == "wrong":
        raw = iot.body("lnd_wrong", values={"co": 1})
    elif payload == "fan":
        raw = iot.body(site.tokens["fan-b1"], values={"co": 1})
    elif isinstance(payload, dict):
        raw = iot.body(token, **payload)
    else:
        raw = payload
    answer = post(client, code, channel, raw, **headers)
    assert (answer.status_code, answer.json()["code"]) == (status, reason)
    assert post(client, "co-b1", "telemetry", iot.body(token, values={"co": 3})).status_code == 202
    state = DeviceState.objects.get(device=site.co)
    assert state.values == {"co": 3.0} and state.online
    if code == "co-b1":
        assert (state.rejected, state.last_rejection) == (1, reason)


@pytest.mark.django_db
def test_a_flood_from_one_device_is_rate_limited_and_others_are_not(client, site, monkeypatch):
    # The clock stands still, so that a slow database cannot refill the bucket mid-flood.
    frozen = time.time()
    monkeypatch.setattr(http._ingest, "clock", lambda: frozen)
    monkeypatch.setattr(http._ingest, "buckets", {})
    token = site.tokens["co-b1"]
    answers = [
        post(client, "co-b1", "telemetry", iot.body(token, values={"co": 1})).status_code for _ in range(40)
    ]
    assert answers[: int(BURST)] == [202] * int(BURST)
    assert answers[int(BURST) :] == [429] * (40 - int(BURST))
    assert (
        post(
            client, "smoke-b1", "telemetry", iot.body(site.tokens["smoke-b1"], values={"smoke": 0})
        ).status_code
        == 202
    )


@pytest.mark.django_db
def test_bearer_token_works_like_the_body_token(client, site):
    raw = orjson.dumps({"values": {"co": 2}})
    answer = post(client, "co-b1", "telemetry", raw, HTTP_AUTHORIZATION=f"Bearer {site.tokens['co-b1']}")
    assert answer.status_code == 202
