"""Delivery receipts: the gateways post them to /hooks/sms/<gateway>/<secret> in their own
shapes (Alibaba Cloud's SmsReport push, Tencent Cloud's 短信下发状态通知) and get the answer
each expects."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from linli.notify.models import SmsDelivery
from linli.notify.services.sms_deliveries import do_prune_sms_deliveries
from linli.notify.sms import sms_provider

PHONE = "13800000001"
BEIJING = ZoneInfo("Asia/Shanghai")


def _post(client, path, payload):
    return client.post(path, json.dumps(payload, ensure_ascii=False), content_type="application/json")


def _sent_through(settings, gateway: str) -> SmsDelivery:
    settings.LINLI_SMS_GATEWAYS = [gateway]
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    return SmsDelivery.objects.get(provider=gateway)


def _aliyun_report(biz_id, *, success=True, err_code="DELIVERED"):
    return {
        "phone_number": PHONE,
        "send_time": "2026-12-07 20:00:01",
        "report_time": "2026-12-07 20:00:05",
        "success": success,
        "err_code": err_code,
        "err_msg": "用户接收成功" if success else "失败",
        "sms_size": "1",
        "biz_id": biz_id,
        "out_id": "",
    }


def _tencent_report(sid, *, status="SUCCESS", errmsg="DELIVRD"):
    return {
        "user_receive_time": "2026-12-07 20:00:06",
        "nationcode": "86",
        "mobile": PHONE,
        "report_status": status,
        "errmsg": errmsg,
        "description": "用户短信送达成功" if status == "SUCCESS" else "用户短信未送达",
        "sid": sid,
    }


def test_alibaba_cloud_reports_a_delivery_once(db, client, settings, sms_gateways):
    row = _sent_through(settings, "aliyun")
    path = "/hooks/sms/aliyun/aliyun-receipts-7f3a"
    r = _post(client, path, [_aliyun_report(row.message_id)])
    assert r.status_code == 200 and r.json() == {"code": 0, "msg": "成功"}
    row.refresh_from_db()
    assert (row.status, row.error_code) == ("delivered", "DELIVERED")
    assert row.reported_at == datetime(2026, 12, 7, 20, 0, 5, tzinfo=BEIJING)

    again = _post(client, path, [_aliyun_report(row.message_id, success=False, err_code="MK:0001")])
    assert again.status_code == 200 and again.json() == {"code": 0, "msg": "成功"}
    unchanged = SmsDelivery.objects.get(pk=row.pk)
    assert (unchanged.status, unchanged.error_code, unchanged.reported_at) == (
        row.status,
        row.error_code,
        row.reported_at,
    )


def test_tencent_cloud_reports_a_failure_with_its_code(db, client, settings, sms_gateways):
    row = _sent_through(settings, "tencent")
    path = "/hooks/sms/tencent/tencent-receipts-9c1e"
    r = _post(client, path, [_tencent_report(row.message_id, status="FAIL", errmsg="MN:0001")])
    assert r.status_code == 200 and r.json() == {"result": 0, "errmsg": "OK"}
    row.refresh_from_db()
    assert (row.status, row.error_code) == ("failed", "MN:0001")
    assert row.reported_at == datetime(2026, 12, 7, 20, 0, 6, tzinfo=BEIJING)
    # The same receipt again changes nothing and is still answered OK (the gateway stops posting).
    assert _post(client, path, [_tencent_report(row.message_id)]).json() == {"result": 0, "errmsg": "OK"}
    assert SmsDelivery.objects.get(pk=row.pk).status == "failed"


def test_it_answers_ok_to_receipts_of_messages_it_does_not_know(db, client, settings, sms_gateways):
    row = _sent_through(settings, "aliyun")
    r = _post(
        client,
        "/hooks/sms/aliyun/aliyun-receipts-7f3a",
        [_aliyun_report("999^0"), _aliyun_report(row.message_id)],
    )
    assert r.json() == {"code": 0, "msg": "成功"}
    assert SmsDelivery.objects.get().status == "delivered"
    # A receipt names its gateway's message: Tencent's ids do not touch Alibaba Cloud's rows.
    r = _post(
        client, "/hooks/sms/tencent/tencent-receipts-9c1e", [_tencent_report(row.message_id, status="FAIL")]
    )
    assert r.json() == {"result": 0, "errmsg": "OK"}
    assert SmsDelivery.objects.get().status == "delivered"


@pytest.mark.parametrize(
    "path",
    [
        "/hooks/sms/aliyun/wrong-secret",
        "/hooks/sms/tencent/aliyun-receipts-7f3a",  # the other gateway's secret
        "/hooks/sms/twilio/aliyun-receipts-7f3a",
    ],
)
def test_it_hides_the_receipt_urls_behind_their_secret(db, client, settings, sms_gateways, path):
    row = _sent_through(settings, "aliyun")
    r = _post(client, path, [_aliyun_report(row.message_id), _tencent_report(row.message_id)])
    assert r.status_code == 404
    assert SmsDelivery.objects.get().status == "sent"


def test_it_has_no_receipt_url_until_a_secret_is_configured(db, client, settings, sms_gateways):
    row = _sent_through(settings, "aliyun")
    settings.LINLI_SMS_ALIYUN_RECEIPT_SECRET = ""
    assert _post(client, "/hooks/sms/aliyun/", [_aliyun_report(row.message_id)]).status_code == 404
    assert _post(client, "/hooks/sms/aliyun/x", [_aliyun_report(row.message_id)]).status_code == 404
    assert SmsDelivery.objects.get().status == "sent"


def test_it_takes_only_posts(db, client, sms_gateways):
    assert client.get("/hooks/sms/aliyun/aliyun-receipts-7f3a").status_code == 405


@pytest.mark.parametrize("body", ["not json", "{}", "[1, 2]", '{"biz_id": "1"}'])
def test_it_answers_a_garbled_body_in_the_gateways_shape(db, client, sms_gateways, body):
    r = client.post("/hooks/sms/aliyun/aliyun-receipts-7f3a", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] != 0
    r = client.post("/hooks/sms/tencent/tencent-receipts-9c1e", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["result"] != 0


def test_the_log_goes_with_an_erased_person_and_keeps_no_row_past_a_month(world, api, settings, sms_gateways):
    settings.LINLI_SMS_GATEWAYS = ["aliyun"]
    for phone in (PHONE, "13800000003"):  # the owner's, the neighbour's
        sms_provider().send(phone, "login_code", {"code": "042917"})
    r = api(world.admin).post(f"/people/{world.owner_person.pk}/erase", {"reason": "本人申请删除"})
    assert r.status_code == 200, r.content
    [kept] = SmsDelivery.objects.all()
    assert kept.phone == "13800000003"
    assert do_prune_sms_deliveries(now=kept.sent_at + timedelta(days=29)) == 0
    assert do_prune_sms_deliveries(now=kept.sent_at + timedelta(days=30, seconds=1)) == 1
    assert not SmsDelivery.objects.exists()
