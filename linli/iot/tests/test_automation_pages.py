"""Automations as staff use them: one created from the console, disabled (an alarm then starts no
run) and enabled again (the next alarm runs it, and its run shows on the page), edited; refusals in
Chinese beside the field; the same through the API."""

import json

import pytest

from linli.iot.models import Automation, AutomationRun, Command
from linli.iot.services import alarms
from linli.testing import iot
from linli.testing.personas import build_narrowed


def form(site, **changes) -> dict:
    values = {
        "name": "车库排风",
        "trigger_kind": "alarm",
        "alarm_type": "co_high",
        "at": "",
        "steps": json.dumps([{"type": "command", "target": site.fan.code, "name": "fan_on"}]),
        "mode": "single",
        "enabled": "on",
    }
    return {k: v for k, v in {**values, **changes}.items() if v is not None}


@pytest.mark.django_db
def test_an_automation_created_disabled_and_enabled_from_the_console(client, world, site):
    client.force_login(world.staff)
    base = f"/iot/staff/{world.a.id}/automations/"
    assert "还没有联动场景" in client.get(base).content.decode()
    done = client.post(f"{base}new", form(site), follow=True)
    assert "联动场景已保存" in done.content.decode() and "车库排风" in done.content.decode()
    automation = Automation.objects.get()
    assert (automation.trigger, automation.mode, automation.enabled) == (
        {"alarm_type": "co_high"},
        "single",
        True,
    )

    off = client.post(f"{base}{automation.pk}", {"action": "disable"}, follow=True)
    assert "已停用" in off.content.decode()
    iot.raise_co(site.co)
    assert not AutomationRun.objects.exists() and not Command.objects.filter(device=site.fan).exists()

    on = client.post(f"{base}{automation.pk}", {"action": "enable"}, follow=True)
    assert Automation.objects.get().enabled and "停用" in on.content.decode()
    alarms.do_clear(actor=world.staff, alarm_id=site.co.alarms.get().pk, note="")
    iot.raise_co(site.co)
    run = AutomationRun.objects.get()
    assert run.status == "done" and Command.objects.get(device=site.fan).name == "fan_on"
    assert "完成" in client.get(base).content.decode()  # its recent run on the list


@pytest.mark.django_db
def test_an_automation_edited_and_its_refusals(client, world, site):
    client.force_login(world.staff)
    base = f"/iot/staff/{world.a.id}/automations/"
    client.post(f"{base}new", form(site))
    automation = Automation.objects.get()
    page = client.get(f"{base}{automation.pk}").content.decode()
    assert "车库排风" in page and "fan_on" in page

    steps = [{"type": "broadcast", "text": "夜间模式已开启"}, {"type": "delay", "seconds": 600}]
    done = client.post(
        f"{base}{automation.pk}",
        form(site, name="夜间模式", trigger_kind="at", at="22:00", steps=json.dumps(steps), mode="restart"),
        follow=True,
    )
    assert "联动场景已保存" in done.content.decode()
    automation.refresh_from_db()
    assert (automation.name, automation.trigger, automation.mode) == ("夜间模式", {"at": "22:00"}, "restart")

    bad_time = client.post(
        f"{base}{automation.pk}", form(site, trigger_kind="at", at="25:00")
    ).content.decode()
    assert "触发条件应为告警类型或每天的时间" in bad_time
    bad_step = client.post(
        f"{base}{automation.pk}", form(site, steps='[{"type": "delay", "seconds": 0}]')
    ).content.decode()
    assert "第1步不完整" in bad_step
    not_json = client.post(f"{base}{automation.pk}", form(site, steps="[{")).content.decode()
    assert "不是有效的 JSON" in not_json
    automation.refresh_from_db()
    assert automation.name == "夜间模式"


@pytest.mark.django_db
def test_automations_through_the_api(world, site, api):
    client = api(world.staff)
    made = client.post(
        f"/iot/automations?community={world.a.id}",
        {
            "name": "车库排风",
            "trigger": {"alarm_type": "co_high"},
            "steps": [{"type": "command", "target": "kind:fan", "name": "fan_on"}],
        },
    )
    assert made.status_code == 201
    automation_id = made.json()["id"]
    off = client.post(f"/iot/automations/{automation_id}/disable")
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert client.post(f"/iot/automations/{automation_id}/enable").json()["enabled"] is True
    changed = client.put(
        f"/iot/automations/{automation_id}",
        {"name": "改名", "trigger": {"alarm_type": ""}, "steps": [{"type": "delay", "seconds": 5}]},
    )
    assert changed.status_code == 400 and changed.json()["code"] == "bad_trigger"
    assert Automation.objects.get().name == "车库排风"


@pytest.mark.django_db
def test_who_sees_and_who_changes_automations(client, world, site):
    narrowed = build_narrowed(world)
    client.force_login(world.staff)
    client.post(f"/iot/staff/{world.a.id}/automations/new", form(site))
    automation = Automation.objects.get()
    # A building's technician: the community's automations are not theirs to see or switch.
    client.force_login(narrowed.technician)
    base = f"/iot/staff/{world.a.id}/automations/"
    listing = client.get(base)
    assert listing.status_code == 200 and "车库排风" not in listing.content.decode()
    assert client.post(f"{base}{automation.pk}", {"action": "disable"}).status_code == 404
    assert Automation.objects.get().enabled
