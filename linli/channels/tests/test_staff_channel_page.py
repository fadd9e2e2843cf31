"""工作消息渠道, the console page: the community admin alone chooses and configures the staff
channel, secrets are never shown back (only whether they are set), every change is audited, and
"send a test message" reaches the fake WeCom server."""

import pytest
from django.urls import reverse

from linli.channels.models import StaffChannel
from linli.channels.tests.conftest import ADMIN_PHONE, ADMIN_USERID, AGENT_ID, CORP_ID, SECRET
from linli.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "wecom",
    "wecom_corp_id": CORP_ID,
    "wecom_agent_id": str(AGENT_ID),
    "wecom_secret": SECRET,
    "dingtalk_robot_token": "",
    "dingtalk_sign_secret": "",
}


def page(world):
    return reverse("channels:staff_channel", args=[world.a.id])


def test_the_admin_configures_wecom_and_the_secret_is_never_shown_back(world, browser):
    admin = browser(world.admin)
    r = admin.get(page(world))
    assert r.status_code == 200 and "工作消息渠道" in r.content.decode()
    r = admin.post(page(world), FORM)
    assert r.status_code == 302
    channel = StaffChannel.objects.get(community=world.a)
    assert (channel.kind, channel.wecom_corp_id, channel.wecom_secret) == ("wecom", CORP_ID, SECRET)
    body = admin.get(page(world)).content.decode()
    assert SECRET not in body and CORP_ID in body and "已设置" in body
    # Saved again with the secret left blank: the one on file stays.
    admin.post(page(world), FORM | {"wecom_secret": "", "wecom_agent_id": "1000003"})
    channel.refresh_from_db()
    assert (channel.wecom_agent_id, channel.wecom_secret) == ("1000003", SECRET)
    entries = AuditEntry.objects.filter(community_id=world.a.id, object_type="channels.staffchannel")
    assert entries.count() == 2
    assert SECRET not in str(list(entries.values("before", "after")))
    first, kept = entries.order_by("id")
    assert first.before["wecom_secret"] == "not set" and first.after["wecom_secret"].startswith("set ")
    assert "wecom_secret" not in kept.after or kept.after["wecom_secret"] == first.after["wecom_secret"]
    # Replaced by another: the audit trail shows it changed, still without either value.
    admin.post(page(world), FORM | {"wecom_secret": "another-secret-not-for-logs"})
    replaced = entries.order_by("-id").first()
    assert replaced.after["wecom_secret"] != replaced.before["wecom_secret"]
    assert "another-secret-not-for-logs" not in str(replaced.after)


def test_the_admin_clears_a_secret_on_file_and_not_while_typing_a_new_one(world, browser):
    admin = browser(world.admin)
    assert "清除已保存的密钥" not in admin.get(page(world)).content.decode()  # nothing on file yet
    admin.post(page(world), FORM)
    assert "清除已保存的密钥" in admin.get(page(world)).content.decode()
    both = admin.post(page(world), FORM | {"clear": ["wecom_secret"]})
    assert both.status_code == 422 and "同一密钥不能既填写新值又清除" in both.content.decode()
    assert StaffChannel.objects.get(community=world.a).wecom_secret == SECRET
    r = admin.post(page(world), FORM | {"wecom_secret": "", "clear": ["wecom_secret"]})
    assert r.status_code == 302
    assert StaffChannel.objects.get(community=world.a).wecom_secret == ""
    assert "缺少设置" in admin.get(page(world)).content.decode()
    cleared = AuditEntry.objects.filter(object_type="channels.staffchannel").order_by("-id").first()
    assert cleared.before["wecom_secret"].startswith("set ") and cleared.after["wecom_secret"] == "not set"


def test_a_bad_agent_id_is_refused_on_the_form(world, browser):
    r = browser(world.admin).post(page(world), FORM | {"wecom_agent_id": "abc"})
    assert r.status_code == 422 and "请填写数字" in r.content.decode()
    assert not StaffChannel.objects.filter(community=world.a).exists()


def test_the_test_message_reaches_the_admin_in_wecom(world, browser, wecom_server):
    world.admin.set_phone(ADMIN_PHONE)
    world.admin.save()
    admin = browser(world.admin)
    test_url = reverse("channels:staff_channel_test", args=[world.a.id])
    r = admin.post(test_url, follow=True)
    assert "请先完成设置" in r.content.decode() and wecom_server.calls == []
    admin.post(page(world), FORM)
    r = admin.post(test_url, follow=True)
    assert "测试消息已发送" in r.content.decode()
    [card] = wecom_server.sent
    assert card["touser"] == ADMIN_USERID and card["textcard"]["title"] == "测试消息"
    assert AuditEntry.objects.filter(action="test_staff_channel", community_id=world.a.id).count() == 1
    # A refusal reads as WeCom's own code, without the secret.
    wecom_server.secret = "reset-in-wecom"
    wecom_server.expire_all()
    r = admin.post(test_url, follow=True)
    assert "40001" in r.content.decode() and SECRET not in r.content.decode()


@pytest.mark.parametrize("who", ["staff", "front_desk", "technician", "grid_worker", "outsider"])
def test_only_the_community_admin_may_open_it(world, browser, who):
    client = browser(getattr(world, who))
    assert client.get(page(world)).status_code == 404
    assert client.post(page(world), FORM).status_code == 404
    assert client.post(reverse("channels:staff_channel_test", args=[world.a.id])).status_code == 404
    assert not StaffChannel.objects.exists()


def test_the_console_menu_lists_it_for_the_admin_only(world, browser):
    home = reverse("registry:overview", args=[world.a.id])
    assert page(world) in browser(world.admin).get(home).content.decode()
    assert page(world) not in browser(world.staff).get(home).content.decode()
