"""The console's 物联网 pages as staff use them: the alarm centre and an alarm acknowledged from
its page (once), devices with their values and a command from the device page, a broadcast to
the speakers, the rules exported and imported back; narrowed staff see only their building."""

import io
import json
import time

import pytest

from linli.iot.models import Alarm, Broadcast, Command, Rule
from linli.testing import iot
from linli.testing.personas import build_narrowed


def page(client, user, path, **kw):
    client.force_login(user)
    return client.get(path, **kw)


@pytest.mark.django_db
def test_the_alarm_centre_and_acknowledging_once(client, world, site):
    iot.raise_co(site.co)
    alarm = Alarm.objects.get()
    base = f"/iot/staff/{world.a.id}"
    listing = page(client, world.staff, f"{base}/alarms/")
    assert listing.status_code == 200 and "一氧化碳超标" in listing.content.decode()
    detail = client.get(f"{base}/alarms/{alarm.pk}")
    assert detail.status_code == 200 and "确认告警" in detail.content.decode()

    done = client.post(
        f"{base}/alarms/{alarm.pk}", {"action": "acknowledge", "note": "已派人查看"}, follow=True
    )
    assert "告警已确认" in done.content.decode()
    assert Alarm.objects.get().ack_note == "已派人查看"
    again = client.post(f"{base}/alarms/{alarm.pk}", {"action": "acknowledge"}, follow=True)
    assert "该告警已被确认" in again.content.decode()
    cleared = client.post(f"{base}/alarms/{alarm.pk}", {"action": "clear", "note": "风机已开"}, follow=True)
    assert "告警已清除" in cleared.content.decode() and Alarm.objects.get().status == "cleared"


@pytest.mark.django_db
def test_devices_values_and_a_command_from_the_device_page(client, world, site):
    ingest_at = time.time()
    client.post(
        f"/api/v1/iot/ingest/a/{site.co.code}/telemetry",
        iot.body(site.tokens["co-b1"], ts=ingest_at, values={"co": 12.5}),
        content_type="application/json",
    )
    base = f"/iot/staff/{world.a.id}"
    listing = page(client, world.staff, f"{base}/devices/")
    assert "一氧化碳 12.5 ppm" in listing.content.decode()
    fan = client.get(f"{base}/devices/{site.fan.pk}")
    assert "fan_on" in fan.content.decode()
    sent = client.post(f"{base}/devices/{site.fan.pk}", {"name": "fan_on"}, follow=True)
    assert "指令已发出" in sent.content.decode()
    assert Command.objects.get(device=site.fan).name == "fan_on"
    refused = client.post(f"{base}/devices/{site.co.pk}", {"name": "self_destruct"}, follow=True)
    assert "该设备不支持此指令" in refused.content.decode()


@pytest.mark.django_db
def test_a_broadcast_reaches_the_speakers(client, world, site):
    client.force_login(world.staff)
    done = client.post(
        f"/iot/staff/{world.a.id}/broadcast/",
        {"text": "今晚停水，请提前储水", "priority": "high", "building": world.building.pk},
        follow=True,
    )
    assert "已发往 1 个广播音柱" in done.content.decode()
    assert Broadcast.objects.get().speakers == 1
    assert Command.objects.get(device=site.speaker).params["text"] == "今晚停水，请提前储水"


@pytest.mark.django_db
def test_rules_export_and_import_all_or_nothing(client, world, site):
    base = f"/iot/staff/{world.a.id}/rules/"
    exported = page(client, world.staff, base, data={"export": "1"})
    document = json.loads(exported.content)
    assert any(r["alarm_type"] == "co_high" for r in document["rules"])
    before = Rule.objects.count()
    upload = io.BytesIO(json.dumps(document, ensure_ascii=False).encode())
    upload.name = "rules.json"
    client.post(base, {"file": upload})
    assert Rule.objects.count() == 2 * before
    document["rules"][1]["severity"] = "loud"
    bad = io.BytesIO(json.dumps(document).encode())
    bad.name = "rules.json"
    answer = client.post(base, {"file": bad}, follow=True)
    assert "级别应为" in answer.content.decode()
    assert Rule.objects.count() == 2 * before


@pytest.mark.django_db
def test_narrowed_staff_see_only_their_building(client, world, site):
    narrowed = build_narrowed(world)
    other = iot.site_in(world, narrowed.other_building, "b2")
    iot.raise_co(other.co)
    alarm = Alarm.objects.get()
    base = f"/iot/staff/{world.a.id}"
    listing = page(client, narrowed.technician, f"{base}/devices/")
    assert listing.status_code == 200
    assert "co-b1" in listing.content.decode() and "co-b2" not in listing.content.decode()
    assert client.get(f"{base}/devices/{other.co.pk}").status_code == 404
    assert client.get(f"{base}/alarms/{alarm.pk}").status_code == 404
    assert "一氧化碳超标" not in client.get(f"{base}/alarms/").content.decode()
