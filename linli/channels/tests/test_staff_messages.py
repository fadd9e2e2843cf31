"""Staff messages through the community's WeCom app or DingTalk robot (issue 15, item 4), through
the product: a dispatched work order, an alarm, an escalation reach the fake WeCom or DingTalk
server on 127.0.0.1 in the providers' own shapes; the inbox is written whatever happens."""

import logging

import pytest
from django.conf import settings

from linli.channels.models import StaffChannelKind, StaffChatId
from linli.channels.services.staff_channel import StaffChannelInput, do_set_staff_channel
from linli.channels.staff import staff_channel_status
from linli.channels.tests.conftest import (
    ADMIN_PHONE,
    ADMIN_USERID,
    AGENT_ID,
    APP_KEY,
    APP_SECRET,
    CORP_ID,
    DING_AGENT_ID,
    ROBOT_TOKEN,
    SECRET,
    SIGN_SECRET,
    TECH_PHONE,
    TECH_USERID,
)
from linli.iot.choices import AlarmStatus
from linli.notify.models import Notification
from linli.testing import iot
from linli.testing import workorders as wo
from linli.workorders.services import notices

pytestmark = pytest.mark.django_db


def _phones(world):
    for user, phone in ((world.technician, TECH_PHONE), (world.admin, ADMIN_PHONE)):
        user.set_phone(phone)
        user.save()


def use_wecom(world, **overrides):
    _phones(world)
    data = {"kind": StaffChannelKind.WECOM, "wecom_corp_id": CORP_ID, "wecom_agent_id": str(AGENT_ID)}
    data["wecom_secret"] = SECRET
    do_set_staff_channel(
        actor=world.admin, community_id=world.a.id, data=StaffChannelInput(**data | overrides)
    )


def use_dingtalk(world, sign_secret=SIGN_SECRET):
    data = StaffChannelInput(
        kind=StaffChannelKind.DINGTALK_ROBOT,
        dingtalk_robot_token=ROBOT_TOKEN,
        dingtalk_sign_secret=sign_secret,
    )
    do_set_staff_channel(actor=world.admin, community_id=world.a.id, data=data)


@pytest.fixture
def dispatch(world, django_capture_on_commit_callbacks):
    """Reports a leak; the crew's plumber, the technician, is dispatched automatically."""
    crew = wo.crew(world)

    def report(text="厨房水管漏水"):
        with django_capture_on_commit_callbacks(execute=True):
            order = wo.report(world, crew, text)
        assert order.assignee_id == world.technician.pk
        return order

    return report


def test_a_dispatched_order_reaches_the_technician_in_wecom(world, wecom_server, inline_tasks, dispatch):
    use_wecom(world)
    order = dispatch()
    [card] = wecom_server.sent
    assert card["touser"] == TECH_USERID  # found by the phone on the technician's account
    assert card["agentid"] == AGENT_ID and card["msgtype"] == "textcard"
    assert card["textcard"]["title"] == f"新工单：{order.category.name}"
    assert "厨房水管漏水" in card["textcard"]["description"]
    link = f"{settings.LINLI_PUBLIC_URL}/workorders/staff/{world.a.id}/{order.pk}"
    assert card["textcard"]["url"] == link
    assert Notification.objects.filter(recipient=world.technician, kind="workorder.assigned").count() == 1
    # The user id is remembered, encrypted: the next order asks WeCom for no lookup and no token.
    chat_id = StaffChatId.objects.get(user=world.technician)
    assert (chat_id.corp, chat_id.external_id) == (f"wecom:{CORP_ID}", TECH_USERID)
    dispatch("卫生间漏水")
    assert len(wecom_server.sent) == 2
    assert wecom_server.called("cgi-bin/user/getuserid") == 1
    assert wecom_server.issued == 1


def test_an_expired_token_is_fetched_again_once(world, wecom_server, inline_tasks, dispatch, caplog):
    use_wecom(world)
    dispatch()
    wecom_server.expire_all()  # 40014 on the cached token
    dispatch("卫生间漏水")
    assert wecom_server.issued == 2 and len(wecom_server.sent) == 2
    # A token refused again after the refresh is not chased further: one retry, then logged.
    wecom_server.refuse_tokens = True
    sends = wecom_server.called("cgi-bin/message/send")
    with caplog.at_level(logging.WARNING, logger="linli.channels"):
        dispatch("阳台漏水")
    assert wecom_server.called("cgi-bin/message/send") == sends + 2
    assert "40014" in caplog.text
    assert SECRET not in caplog.text and "wecom-token-" not in caplog.text
    assert Notification.objects.filter(recipient=world.technician, kind="workorder.assigned").count() == 3


def test_a_member_wecom_does_not_know_gets_the_inbox_only(world, wecom_server, inline_tasks, dispatch):
    use_wecom(world)
    world.technician.set_phone("13700000999")  # not a member of the corp
    world.technician.save()
    dispatch()
    assert wecom_server.sent == [] and wecom_server.called("cgi-bin/user/getuserid") == 1
    assert Notification.objects.filter(recipient=world.technician, kind="workorder.assigned").exists()


def test_a_community_without_a_staff_channel_calls_no_one(world, wecom_server, inline_tasks, dispatch):
    _phones(world)
    dispatch()
    assert wecom_server.calls == []


def test_an_alarm_reaches_those_who_answer_it(
    world, wecom_server, inline_tasks, django_capture_on_commit_callbacks
):
    use_wecom(world)
    site = iot.site(world)
    with django_capture_on_commit_callbacks(execute=True):
        alarm = iot.raise_co(site.co)
    assert alarm["status"] == AlarmStatus.ACTIVE
    [card] = wecom_server.sent
    # The technician and the admin answer alarms (the property manager has no phone on file).
    assert sorted(card["touser"].split("|")) == sorted([TECH_USERID, ADMIN_USERID])
    assert card["textcard"]["title"] == "新告警：一氧化碳超标 · 车库"
    assert card["textcard"]["url"].endswith(f"/iot/staff/{world.a.id}/alarms/{alarm['id']}")


def test_a_dingtalk_community_posts_to_its_group_mentioning_whom_it_is_for(
    world, dingtalk_server, inline_tasks, dispatch, django_capture_on_commit_callbacks
):
    use_dingtalk(world)
    _phones(world)
    order = dispatch()
    with django_capture_on_commit_callbacks(execute=True):
        notices.escalated(world.a.id, None, 2)
    assigned, escalated = dingtalk_server.sent
    assert assigned["markdown"]["title"] == f"新工单：{order.category.name}"
    link = f"{settings.LINLI_PUBLIC_URL}/workorders/staff/{world.a.id}/{order.pk}"
    assert f"[查看详情]({link})" in assigned["markdown"]["text"]
    # The technician it was dispatched to is @-mentioned: DingTalk alerts them, not just the group.
    assert assigned["at"] == {"atMobiles": [TECH_PHONE], "isAtAll": False}
    assert assigned["markdown"]["text"].endswith(f"@{TECH_PHONE}")
    assert escalated["markdown"]["title"] == "2 个工单已超时，请督办"


def test_a_wrong_sign_secret_is_refused_and_logged_without_secrets(
    world, dingtalk_server, inline_tasks, dispatch, caplog
):
    use_dingtalk(world, sign_secret="SECwrong-secret")
    with caplog.at_level(logging.WARNING, logger="linli.channels"):
        dispatch()
    assert dingtalk_server.sent == []
    assert "310000" in caplog.text and "workorder.assigned" in caplog.text
    assert "SECwrong-secret" not in caplog.text and ROBOT_TOKEN not in caplog.text
    assert Notification.objects.filter(recipient=world.technician, kind="workorder.assigned").exists()


def test_a_dingtalk_work_notice_reaches_the_technician_by_their_phone(
    world, dingtalk_server, inline_tasks, dispatch
):
    _phones(world)
    data = StaffChannelInput(
        kind=StaffChannelKind.DINGTALK_NOTICE,
        dingtalk_app_key=APP_KEY,
        dingtalk_app_secret=APP_SECRET,
        dingtalk_agent_id=str(DING_AGENT_ID),
    )
    do_set_staff_channel(actor=world.admin, community_id=world.a.id, data=data)
    order = dispatch()
    [notice] = dingtalk_server.notices
    assert (notice["agent_id"], notice["userid_list"]) == (DING_AGENT_ID, TECH_USERID)
    card = notice["msg"]["action_card"]
    assert card["title"] == f"新工单：{order.category.name}"
    assert card["single_url"].endswith(f"/workorders/staff/{world.a.id}/{order.pk}")
    assert StaffChatId.objects.get(user=world.technician).corp == f"dingtalk:{APP_KEY}"
    dingtalk_server.valid_tokens.clear()  # DingTalk answers 88 / 40014: fetched again once
    dispatch("卫生间漏水")
    assert len(dingtalk_server.notices) == 2 and dingtalk_server.issued == 2


def test_the_status_says_what_is_missing_and_never_a_secret(world, settings):
    assert staff_channel_status(world.a.id)["kind"] == "none"
    do_set_staff_channel(
        actor=world.admin,
        community_id=world.a.id,
        data=StaffChannelInput(kind=StaffChannelKind.WECOM, wecom_agent_id="1000002", wecom_secret=SECRET),
    )
    status = staff_channel_status(world.a.id)
    assert (status["ready"], status["missing"]) == (False, ["企业ID（CorpID）"])
    assert SECRET not in str(status)
    settings.LINLI_WECOM_CORP_ID = CORP_ID  # one corp for all the company's communities
    status = staff_channel_status(world.a.id)
    assert status["ready"] and status["missing"] == []
    corp = next(f for f in status["fields"] if f["name"] == "wecom_corp_id")
    assert (corp["value"], corp["source"]) == (CORP_ID, "env")
