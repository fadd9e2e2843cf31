"""The alarm lifecycle through the API: one active alarm per device and type even when many
messages race, a fresh alarm after a clear, acknowledgement with a note (once), assignment to
someone responsible, re-notification one level up until acknowledged; and a restart in the
middle of a duration rule."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from linli.iot.choices import AlarmStatus
from linli.iot.ingest.fleet import Fleet
from linli.iot.ingest.pipeline import Ingest
from linli.iot.models import Alarm, AlarmLog
from linli.iot.services import alarms
from linli.notify.models import Notification
from linli.testing import iot


def raise_co(device, at=None):
    return alarms.open_alarm(
        device=device,
        alarm_type="co_high",
        title="CO",
        severity="critical",
        at=at or timezone.now(),
        details={},
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_raises_make_one_alarm_counting_every_occurrence(world):
    site = iot.site(world)
    barrier = threading.Barrier(6)
    errors = []

    def worker():
        try:
            barrier.wait(5)
            raise_co(site.co)
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors
    alarm = Alarm.objects.get()
    assert (alarm.status, alarm.count) == (AlarmStatus.ACTIVE, 6)


@pytest.mark.django_db
def test_a_clear_then_a_new_occurrence_is_a_fresh_alarm(world):
    site = iot.site(world)
    raise_co(site.co)
    first = Alarm.objects.get()
    alarms.do_clear(actor=world.staff, alarm_id=first.pk, note="风机已开，浓度恢复")
    raise_co(site.co)
    assert Alarm.objects.filter(status=AlarmStatus.ACTIVE).exclude(pk=first.pk).count() == 1
    assert Alarm.objects.get(pk=first.pk).status == AlarmStatus.CLEARED


@pytest.mark.django_db
def test_acknowledge_assign_and_who_may(world, api):
    site = iot.site(world)
    raise_co(site.co)
    alarm = Alarm.objects.get()
    manager, tech, outsider = api(world.staff), api(world.technician), api(world.outsider)

    assert outsider.post(f"/iot/alarms/{alarm.pk}/acknowledge", {"note": "x"}).status_code == 404
    assert api(world.owner).post(f"/iot/alarms/{alarm.pk}/acknowledge", {}).status_code == 404
    ack = tech.post(f"/iot/alarms/{alarm.pk}/acknowledge", {"note": "已到现场"})
    assert ack.status_code == 200, ack.content
    assert ack.json()["acknowledged_at"] and ack.json()["ack_note"] == "已到现场"
    again = manager.post(f"/iot/alarms/{alarm.pk}/acknowledge", {"note": ""})
    assert (again.status_code, again.json()["code"]) == (409, "already_acknowledged")

    assert (
        manager.post(f"/iot/alarms/{alarm.pk}/assign", {"user_id": world.owner.pk}).json()["code"]
        == "not_an_operator"
    )
    assigned = manager.post(f"/iot/alarms/{alarm.pk}/assign", {"user_id": world.technician.pk})
    assert assigned.json()["assignee_id"] == world.technician.pk
    kinds = list(AlarmLog.objects.filter(alarm=alarm).values_list("kind", flat=True))
    assert kinds == ["raised", "acknowledged", "assigned"]
    listed = manager.get("/iot/alarms", {"community": world.a.pk, "open_only": "true"}).json()["items"]
    assert [a["id"] for a in listed] == [alarm.pk]


@pytest.mark.django_db
def test_unacknowledged_alarms_are_told_again_one_level_up(world):
    site = iot.site(world)
    raise_co(site.co)
    alarm = Alarm.objects.get()
    told = set(Notification.objects.filter(kind="iot.alarm.critical").values_list("recipient_id", flat=True))
    assert world.technician.pk in told  # responsible for 1号楼: a technician holds iot.operate
    later = timezone.now() + timedelta(minutes=6)
    assert alarms.renotify_due(later) == 1
    assert alarms.renotify_due(later) == 0  # once per due time
    alarm.refresh_from_db()
    assert alarm.escalation == 1
    managers = set(
        Notification.objects.filter(title__startswith="告警仍未确认").values_list("recipient_id", flat=True)
    )
    assert world.staff.pk in managers
    alarms.do_acknowledge(actor=world.staff, alarm_id=alarm.pk)
    assert alarms.renotify_due(later + timedelta(hours=1)) == 0


@pytest.mark.django_db
def test_a_restart_in_the_middle_of_a_duration_fires_on_time(world):
    site = iot.site(world)
    t0 = time.time() - 60
    first = Ingest(clock=lambda: t0)
    assert (
        first.handle("a", "co-b1", "telemetry", iot.body(site.tokens["co-b1"], ts=t0, values={"co": 90}))
        == "ok"
    )
    first.close()  # the worker stops (SIGTERM): its rule states are written

    second = Ingest(Fleet(load_on_miss=False), clock=lambda: t0 + 121)
    second.fleet.load_rules()
    second.fleet.preload()
    second.tick()
    assert [a["type"] for a in second.close()] == ["co_high"]
    assert Alarm.objects.get().first_at.timestamp() == pytest.approx(t0 + 121, abs=1)
