"""The rule editor as staff use it: a rule created from the structured form, one edited and seen
saved, a combined condition in JSON, errors beside the field in Chinese with nothing saved, a rule
deleted; the JSON import refusing a file that is not JSON."""

import io
import json

import pytest

from linli.iot.models import Rule
from linli.testing import iot
from linli.testing.personas import build_narrowed


def form(**changes) -> dict:
    values = {
        "name": "车库CO持续超标",
        "alarm_type": "co_sustained",
        "severity": "major",
        "kind": "duration",
        "key": "co",
        "op": ">",
        "value": "co_limit",
        "for_s": "120",
        "params": '{"co_limit": 50}',
        "actions": '[{"type": "broadcast", "area": "building", "text": "车库一氧化碳超标，请尽快离开"}]',
        "auto_clear": "on",
        "enabled": "on",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.mark.django_db
def test_a_rule_created_from_the_form(client, world, site):
    client.force_login(world.staff)
    base = f"/iot/staff/{world.a.id}/rules/"
    assert "新建规则" in client.get(base).content.decode()
    page = client.get(f"{base}new")
    assert page.status_code == 200 and "持续：超过一段时间才告警" in page.content.decode()
    done = client.post(f"{base}new", form(target=f"d{site.co.pk}"), follow=True)
    assert "规则已保存" in done.content.decode()
    rule = Rule.objects.get(alarm_type="co_sustained")
    assert rule.device_id == site.co.pk
    assert rule.condition == {
        "type": "duration",
        "key": "co",
        "op": ">",
        "value": {"param": "co_limit"},
        "for_s": 120,
    }
    assert rule.params == {"co_limit": 50.0} and rule.actions[0]["text"] == "车库一氧化碳超标，请尽快离开"


@pytest.mark.django_db
def test_a_rule_edited_through_the_form_is_saved(client, world, site):
    client.force_login(world.staff)
    rule = Rule.objects.filter(profile__kind="co").first()
    url = f"/iot/staff/{world.a.id}/rules/{rule.pk}"
    page = client.get(url).content.decode()
    assert rule.name in page and "删除规则" in page
    done = client.post(
        url,
        form(
            name="CO阈值（改）", alarm_type=rule.alarm_type, kind="threshold", value="35", for_s="", params=""
        ),
        follow=True,
    )
    assert "规则已保存" in done.content.decode()
    rule.refresh_from_db()
    assert rule.name == "CO阈值（改）"
    assert rule.condition == {"type": "threshold", "key": "co", "op": ">", "value": 35.0}
    assert "CO阈值（改）" in client.get(f"/iot/staff/{world.a.id}/rules/").content.decode()
    # The saved rule comes back in the form.
    again = client.get(url).content.decode()
    assert 'value="35.0"' in again and 'value="threshold" selected' in again


@pytest.mark.django_db
def test_a_combined_condition_in_json(client, world, site):
    client.force_login(world.staff)
    condition = {
        "all": [
            {"type": "threshold", "key": "co", "op": ">", "value": 30},
            {"type": "schedule", "days": [1, 2, 3, 4, 5], "from": "22:00", "to": "06:00"},
        ]
    }
    done = client.post(
        f"/iot/staff/{world.a.id}/rules/new",
        form(target=f"p{iot.profile(world.a.id, 'co').pk}", kind="json", condition=json.dumps(condition)),
        follow=True,
    )
    assert "规则已保存" in done.content.decode()
    assert Rule.objects.get(alarm_type="co_sustained").condition["all"][1]["from"] == "22:00"


@pytest.mark.django_db
def test_errors_come_back_beside_the_field_and_nothing_is_saved(client, world, site):
    client.force_login(world.staff)
    rule = Rule.objects.filter(profile__kind="co").first()
    url = f"/iot/staff/{world.a.id}/rules/{rule.pk}"
    saved = (rule.name, rule.condition, rule.updated_at)

    no_limit = client.post(url, form(name="改名", for_s="0")).content.decode()
    assert "应为1到604800之间的整数" in no_limit and "has-error" in no_limit
    missing_param = client.post(url, form(name="改名", params="")).content.decode()
    assert "条件引用的参数缺少默认值" in missing_param
    bad_json = client.post(url, form(name="改名", actions="[{oops")).content.decode()
    assert "不是有效的 JSON" in bad_json
    bad_action = client.post(url, form(name="改名", actions='[{"type": "explode"}]')).content.decode()
    assert "actions.0.type: 未知的动作类型" in bad_action
    deep = client.post(url, form(name="改名", kind="json", condition='{"any": []}')).content.decode()
    assert "组合条件应有1到10个子条件" in deep

    rule.refresh_from_db()
    assert (rule.name, rule.condition, rule.updated_at) == saved


@pytest.mark.django_db
def test_a_rule_deleted(client, world, site):
    client.force_login(world.staff)
    rule = Rule.objects.filter(profile__kind="co").first()
    done = client.post(f"/iot/staff/{world.a.id}/rules/{rule.pk}", {"action": "delete"}, follow=True)
    assert "规则已删除" in done.content.decode()
    assert not Rule.objects.filter(pk=rule.pk).exists()


@pytest.mark.django_db
def test_an_import_that_is_not_json_is_refused(client, world, site):
    client.force_login(world.staff)
    before = Rule.objects.count()
    upload = io.BytesIO(b'{"version": 1, "rules": [')
    upload.name = "rules.json"
    answer = client.post(f"/iot/staff/{world.a.id}/rules/", {"file": upload}, follow=True)
    assert "规则文件不是有效的JSON" in answer.content.decode()
    assert Rule.objects.count() == before


@pytest.mark.django_db
def test_an_import_may_replace_the_rules(client, world, site):
    client.force_login(world.staff)
    base = f"/iot/staff/{world.a.id}/rules/"
    document = json.loads(client.get(base, {"export": "1"}).content)
    document["rules"] = document["rules"][:1]
    upload = io.BytesIO(json.dumps(document, ensure_ascii=False).encode())
    upload.name = "rules.json"
    answer = client.post(base, {"file": upload, "replace": "1"}, follow=True)
    assert "已导入 1 条规则" in answer.content.decode()
    assert Rule.objects.filter(community=world.a).count() == 1


@pytest.mark.django_db
def test_the_editor_is_for_staff_who_set_up(client, world, site):
    narrowed = build_narrowed(world)
    rule = Rule.objects.filter(profile__kind="co").first()
    client.force_login(narrowed.technician)
    assert client.get(f"/iot/staff/{world.a.id}/rules/new").status_code == 404
    assert client.post(f"/iot/staff/{world.a.id}/rules/{rule.pk}", {"action": "delete"}).status_code == 404
    assert Rule.objects.filter(pk=rule.pk).exists()
