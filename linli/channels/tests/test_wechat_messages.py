"""WeChat as a notify channel, against the fake WeChat server: a bill issued reaches the bound
resident as a template message; what WeChat refuses falls back to SMS; a refused access token is
fetched again once; preferences mute it like SMS."""

import json
from datetime import date

import pytest

from linli.billing.services import runs, setup
from linli.channels.models import WeChatIdentity
from linli.channels.tests.conftest import OWNER_OPENID
from linli.channels.tests.fake_wechat import MINI_APPID, OFFICIAL_APPID
from linli.channels.wechat_config import wechat_status
from linli.notify.models import Notification
from linli.notify.services import do_set_preferences, notify
from linli.notify.topics import Choice
from linli.testing.billing_counter import paid_receipt

TENANT_OPENID = "oUpF8uN_tenant_openid_00000x"


def post_a_run(world):
    """Staff issue the month's property fee, as the console's 出账 does."""
    item = setup.do_create_fee_item(actor=world.admin, community=world.a, name="物业服务费", kind="property")
    standard = setup.do_create_standard(
        actor=world.admin, fee_item=item, effective_from=date(2026, 1, 1), unit_price_fen=250
    )
    setup.do_publish_standard(actor=world.admin, standard=standard)
    preview = runs.do_preview_run(actor=world.admin, fee_item=item, period_start=date(2026, 3, 1))
    runs.do_post_run(actor=world.admin, run=preview.run)


def texts(sms_outbox):
    """The notifications texted (the outbox also holds the binding's sign-in code)."""
    return [m for m in sms_outbox if m.template == "notification"]


def templates_sent(wechat):
    return [body for path, body in wechat.sent if path == "/cgi-bin/message/template/send"]


def test_a_bill_issued_reaches_the_bound_resident_as_a_template_message(
    world, bound, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_a_run(world)
    [sent] = templates_sent(wechat)
    assert sent["touser"] == OWNER_OPENID and sent["template_id"] == "TPL-BILL-ISSUED"
    assert sent["url"].endswith("/billing/")
    assert sent["data"]["thing1"] == {"value": "新账单"}
    assert (
        sent["data"]["thing2"]["value"].startswith("物业服务费")
        and len(sent["data"]["thing2"]["value"]) == 20
    )
    assert set(sent["data"]) == {"thing1", "thing2", "time3"}
    # Every billed household's inbox has it (those without WeChat: the inbox only), and no SMS.
    told = set(Notification.objects.filter(kind="billing.issued").values_list("recipient_id", flat=True))
    assert told == {world.owner.pk, world.tenant.pk, world.neighbour.pk}
    assert texts(sms_outbox) == []


def test_cash_paid_at_the_counter_reaches_the_bound_resident_on_wechat(
    world, bound, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks, settings
):
    settings.LINLI_WECHAT_TEMPLATES = json.dumps(
        {"billing.paid": {"id": "TPL-PAID", "fields": {"thing1": "title", "thing2": "body", "time3": "time"}}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        paid_receipt(world.front_desk, world.house, 12000, "desk-1")
    [sent] = templates_sent(wechat)
    assert (sent["touser"], sent["template_id"]) == (OWNER_OPENID, "TPL-PAID")
    assert sent["data"]["thing1"] == {"value": "缴费成功"} and sent["url"].endswith("/billing/receipts/")
    assert sent["data"]["thing2"]["value"].startswith("已收到 ¥120.00（现金）")
    assert texts(sms_outbox) == []


@pytest.mark.parametrize("errcode", [43004, 43101, 45009])
def test_what_wechat_refuses_falls_back_to_sms(
    world, bound, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks, errcode
):
    wechat.refusals = [errcode]
    with django_capture_on_commit_callbacks(execute=True):
        post_a_run(world)
    assert templates_sent(wechat) == []
    assert [m.phone for m in texts(sms_outbox)] == ["13800000001"]
    assert texts(sms_outbox)[0].text.startswith("新账单：物业服务费")


def test_a_resident_who_muted_sms_keeps_the_inbox_as_the_fall_back(
    world, bound, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    do_set_preferences(actor=world.owner, items=[Choice("billing", "sms", False)])
    wechat.refusals = [43004]
    with django_capture_on_commit_callbacks(execute=True):
        post_a_run(world)
    assert texts(sms_outbox) == []
    assert Notification.objects.filter(recipient=world.owner, kind="billing.issued").exists()


def test_a_message_already_texted_is_not_texted_again(
    world, bound, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    wechat.refusals = [43004]
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[world.owner],
            kind="billing.issued",
            title="新账单",
            body="三月物业费",
            community_id=world.a.id,
            channels=("inapp", "sms"),
        )
    assert [m.phone for m in texts(sms_outbox)] == ["13800000001"]  # the one asked for, no second


def test_a_quota_reached_stops_calling_wechat_and_texts_the_rest(
    world,
    bound,
    browser,
    wechat_sign_in,
    phone_check,
    wechat,
    inline_tasks,
    sms_outbox,
    django_capture_on_commit_callbacks,
):
    tenant = browser()
    wechat_sign_in(tenant, TENANT_OPENID)
    phone_check(tenant, "13800000002")
    wechat.refusals = [45009]
    with django_capture_on_commit_callbacks(execute=True):
        post_a_run(world)
    assert wechat.calls.count("/cgi-bin/message/template/send") == 1
    assert sorted(m.phone for m in texts(sms_outbox)) == ["13800000001", "13800000002"]


def test_a_refused_access_token_is_fetched_again_once(
    world, bound, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.owner], kind="billing.issued", title="新账单", body="一月")
    assert wechat.tokens_issued == 1
    wechat.revoke_tokens()  # another fetch elsewhere invalidated ours: WeChat answers 40001
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.owner], kind="billing.issued", title="新账单", body="二月")
        notify(users=[world.owner], kind="billing.issued", title="新账单", body="三月")
    assert wechat.tokens_issued == 2  # once for both messages, not once per message
    assert [s["data"]["thing2"]["value"] for s in templates_sent(wechat)] == ["一月", "二月", "三月"]
    assert texts(sms_outbox) == []


def test_a_resident_who_turned_wechat_off_gets_no_template_message(
    world, bound, wechat, inline_tasks, django_capture_on_commit_callbacks
):
    page = bound.get("/me/notifications/").content.decode()
    assert 'value="billing/wechat"' in page  # chosen per topic like SMS
    bound.post("/me/notifications/", {"on": ["workorder/sms", "workorder/wechat", "billing/sms"]})
    with django_capture_on_commit_callbacks(execute=True):
        post_a_run(world)
    assert wechat.sent == []


def test_a_kind_without_a_template_is_not_sent_to_wechat(
    world, bound, wechat, inline_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.owner], kind="engage.activity", title="活动", body="周末义诊")
    assert wechat.calls.count("/cgi-bin/message/template/send") == 0


def test_a_resident_bound_only_to_the_mini_program_gets_a_subscription_message(
    world, api, wechat, inline_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    app = api()
    ticket = app.post("/wechat/mini/session", {"code": wechat.code_for(OWNER_OPENID, MINI_APPID)}).json()[
        "ticket"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        app.post("/auth/sms-code", {"phone": "13800000001"})
    app.post(
        "/wechat/mini/bind", {"ticket": ticket, "phone": "13800000001", "code": sms_outbox[-1].params["code"]}
    )
    assert WeChatIdentity.objects.get(user=world.owner).app_id == MINI_APPID
    with django_capture_on_commit_callbacks(execute=True):
        post_a_run(world)
    # The mini-program's template covers the whole billing topic: the standard published too.
    assert {path for path, _body in wechat.sent} == {"/cgi-bin/message/subscribe/send"}
    [body] = [body for _path, body in wechat.sent if body["data"]["thing1"]["value"] == "新账单"]
    assert body["touser"] == OWNER_OPENID and body["template_id"] == "SUB-BILLING"


def test_the_status_says_what_is_configured_and_missing_without_secrets(db, wechat, settings):
    status = wechat_status()
    assert status["configured"] is True and status["missing"] == [] and status["problems"] == []
    assert status["official_account"]["app_id"] == OFFICIAL_APPID
    assert status["official_account"]["template_kinds"] == ["billing.issued"]
    assert settings.LINLI_WECHAT_SECRET not in json.dumps(status)
    settings.LINLI_WECHAT_SECRET = ""
    settings.LINLI_WECHAT_SUBSCRIBE_TEMPLATES = '{"billing": {"id": "X"}}'
    status = wechat_status()
    assert status["missing"] == ["LINLI_WECHAT_SECRET"]
    assert status["problems"] == [
        "LINLI_WECHAT_SUBSCRIBE_TEMPLATES billing: needs an id and fields mapping keywords to title, body, time"
    ]
    settings.LINLI_WECHAT_APPID = settings.LINLI_WECHAT_MINI_APPID = ""
    settings.LINLI_WECHAT_MINI_SECRET = ""
    assert wechat_status()["configured"] is False and wechat_status()["missing"] == []
