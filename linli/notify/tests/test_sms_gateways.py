"""The real gateways' adapters and the failover chain, against fake gateway servers on 127.0.0.1
that check the SDKs' signatures (linli/testing/sms_gateways.py)."""

import logging
import socket

import pytest
from django.db import connection

from linli.core.crypto import blind_index
from linli.notify.models import SmsDelivery
from linli.notify.sms import GatewayFailure, NoGatewaySent, RecipientRefused, sms_provider
from linli.notify.sms_gateways import check_configuration
from linli.notify.sms_gateways.failover import FailoverSmsProvider
from linli.notify.tasks import send_sms_to_users
from linli.testing.sms_gateways import ALIYUN_KEY, TENCENT_KEY

PHONE = "13800000001"


def test_it_sends_a_code_through_alibaba_cloud_with_the_registered_template(db, sms_gateways):
    aliyun, tencent = sms_gateways
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    [sent] = aliyun.sent
    assert sent["PhoneNumbers"] == PHONE
    assert sent["SignName"] == "邻里物业"
    assert sent["TemplateCode"] == "SMS_100"
    assert sent["TemplateParam"] == {"code": "042917"}
    assert tencent.sent == []
    row = SmsDelivery.objects.get()
    assert (row.provider, row.message_id, row.template, row.status) == (
        "aliyun",
        "100^0",
        "login_code",
        "sent",
    )
    assert row.phone == PHONE and row.phone_bidx == blind_index("phone", PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notify_smsdelivery")
        assert PHONE not in cursor.fetchone()[0]  # encrypted at rest


def test_it_sends_tencent_cloud_the_parameters_in_the_templates_order(db, settings, sms_gateways):
    aliyun, tencent = sms_gateways
    settings.LINLI_SMS_GATEWAYS = ["tencent", "aliyun"]
    sms_provider().send(PHONE, "notification", {"title": "停水通知", "body": "明天9点至12点停水"})
    [sent] = tencent.sent
    assert sent["SmsSdkAppId"] == "1400006666"
    assert sent["SignName"] == "邻里物业"
    assert sent["TemplateId"] == "2200"
    assert sent["TemplateParamSet"] == ["停水通知", "明天9点至12点停水"]  # {1}：{2}
    assert sent["PhoneNumberSet"] == ["+8613800000001"]
    assert aliyun.sent == []
    assert SmsDelivery.objects.get().message_id == "2645:" + "1".zfill(30)


@pytest.mark.parametrize("gateway", ["aliyun", "tencent"])
def test_a_fake_refuses_a_request_signed_with_another_secret(db, settings, sms_gateways, gateway):
    """The fakes check signatures for real: otherwise the tests above would prove little."""
    settings.LINLI_SMS_GATEWAYS = [gateway]
    setattr(
        settings,
        {"aliyun": "LINLI_SMS_ALIYUN_ACCESS_KEY_SECRET", "tencent": "LINLI_SMS_TENCENT_SECRET_KEY"}[gateway],
        "not-the-secret",
    )
    with pytest.raises(NoGatewaySent) as raised:
        sms_provider().send(PHONE, "login_code", {"code": "1"})
    [failure] = raised.value.failures
    assert (
        failure.code
        == {"aliyun": "SignatureDoesNotMatch", "tencent": "AuthFailure.SignatureFailure"}[gateway]
    )
    assert SmsDelivery.objects.count() == 0


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("outage", ["5xx", "not listening", "timeout", "wrong key"])
def test_it_fails_over_to_tencent_cloud_when_alibaba_cloud_is_out(db, settings, sms_gateways, outage):
    aliyun, tencent = sms_gateways
    if outage == "5xx":
        aliyun.down()
    elif outage == "not listening":
        settings.LINLI_SMS_ALIYUN_ENDPOINT = _closed_port_url()
    elif outage == "timeout":
        aliyun.hang()
    else:
        settings.LINLI_SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-revoked"
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert aliyun.sent == []
    assert tencent.sent[0]["TemplateParamSet"] == ["042917"]
    assert SmsDelivery.objects.get().provider == "tencent"


def test_it_fails_over_to_alibaba_cloud_when_tencent_cloud_is_out(db, settings, sms_gateways):
    aliyun, tencent = sms_gateways
    settings.LINLI_SMS_GATEWAYS = ["tencent", "aliyun"]
    tencent.down()
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert aliyun.sent[0]["TemplateParam"] == {"code": "042917"}


def test_a_gateway_missing_its_settings_is_passed_over(db, settings, sms_gateways):
    aliyun, tencent = sms_gateways
    settings.LINLI_SMS_ALIYUN_TEMPLATES = {"notification": "SMS_200"}  # no login_code template
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert aliyun.sent == [] and len(tencent.sent) == 1


def test_a_template_still_under_review_stops_no_other_text(db, settings, sms_gateways):
    aliyun, _tencent = sms_gateways
    settings.LINLI_SMS_GATEWAYS = ["aliyun"]
    settings.LINLI_SMS_ALIYUN_TEMPLATES = {"login_code": "SMS_100"}  # notification not approved yet
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert [sent["TemplateCode"] for sent in aliyun.sent] == ["SMS_100"]
    with pytest.raises(NoGatewaySent):
        sms_provider().send(PHONE, "notification", {"title": "停水通知", "body": "明天9点到12点停水"})
    assert "LINLI_SMS_ALIYUN_TEMPLATES[notification]" in check_configuration()[0]["missing"]  # still listed


@pytest.mark.parametrize(
    ("first", "code"),
    [
        ("aliyun", "isv.BUSINESS_LIMIT_CONTROL"),
        ("aliyun", "isv.MOBILE_NUMBER_ILLEGAL"),
        ("tencent", "LimitExceeded.PhoneNumberDailyLimit"),
        ("tencent", "LimitExceeded.PhoneNumberThirtySecondLimit"),
        ("tencent", "InvalidParameterValue.IncorrectPhoneNumber"),
    ],
)
def test_it_does_not_fail_over_when_the_number_is_refused(db, settings, sms_gateways, first, code):
    """Another gateway would only bypass the limit that keeps a number from being flooded."""
    aliyun, tencent = sms_gateways
    settings.LINLI_SMS_GATEWAYS = [first, "tencent" if first == "aliyun" else "aliyun"]
    {"aliyun": aliyun, "tencent": tencent}[first].refuse(code)
    with pytest.raises(RecipientRefused) as raised:
        sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert (raised.value.provider, raised.value.code) == (first, code)
    assert aliyun.sent == [] and tencent.sent == []
    assert SmsDelivery.objects.count() == 0


def test_it_fails_over_on_a_refusal_that_is_the_gateways_own(db, sms_gateways):
    aliyun, tencent = sms_gateways
    aliyun.refuse("isv.OUT_OF_SERVICE")  # the account ran out of credit
    sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert len(tencent.sent) == 1


def test_it_says_which_gateways_failed_when_all_did(db, sms_gateways):
    aliyun, tencent = sms_gateways
    aliyun.down()
    tencent.refuse("AuthFailure.SecretIdNotFound")
    with pytest.raises(NoGatewaySent) as raised:
        sms_provider().send(PHONE, "login_code", {"code": "042917"})
    assert [(f.provider, f.code) for f in raised.value.failures] == [
        ("aliyun", "ServiceUnavailable"),
        ("tencent", "AuthFailure.SecretIdNotFound"),
    ]
    assert all(isinstance(f, GatewayFailure) for f in raised.value.failures)


def test_it_logs_refusals_with_the_phone_masked_and_no_secret(world, sms_gateways, caplog):
    aliyun, tencent = sms_gateways
    aliyun.down()
    tencent.refuse("LimitExceeded.PhoneNumberDailyLimit")
    with caplog.at_level(logging.INFO):
        sent = send_sms_to_users.call([world.owner.id], "notification", {"title": "停水", "body": "明天"})
    assert sent == 0
    logged = caplog.text
    assert "138****0001" in logged and "LimitExceeded.PhoneNumberDailyLimit" in logged
    for secret in (PHONE, ALIYUN_KEY[1], TENCENT_KEY[1]):
        assert secret not in logged


def test_it_refuses_to_start_with_a_gateway_it_does_not_know(settings):
    settings.LINLI_SMS_GATEWAYS = ["aliyun", "twilio"]
    with pytest.raises(Exception, match="twilio"):
        FailoverSmsProvider()


def test_it_names_what_each_configured_gateway_still_needs(settings):
    settings.LINLI_SMS_GATEWAYS = ["tencent", "aliyun", "twilio"]
    settings.LINLI_SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-configured"
    settings.LINLI_SMS_ALIYUN_ACCESS_KEY_SECRET = "very-secret"
    settings.LINLI_SMS_ALIYUN_SIGN_NAME = ""
    settings.LINLI_SMS_ALIYUN_TEMPLATES = {"login_code": "SMS_100"}
    settings.LINLI_SMS_ALIYUN_RECEIPT_SECRET = ""
    for name in ("SECRET_ID", "SECRET_KEY", "SDK_APP_ID", "SIGN_NAME", "RECEIPT_SECRET"):
        setattr(settings, f"LINLI_SMS_TENCENT_{name}", "")
    settings.LINLI_SMS_TENCENT_TEMPLATES = {}
    checks = check_configuration()
    assert [(c["name"], c["missing"]) for c in checks] == [
        (
            "tencent",
            [
                "LINLI_SMS_TENCENT_SECRET_ID",
                "LINLI_SMS_TENCENT_SECRET_KEY",
                "LINLI_SMS_TENCENT_SDK_APP_ID",
                "LINLI_SMS_TENCENT_SIGN_NAME",
                "LINLI_SMS_TENCENT_TEMPLATES[login_code]",
                "LINLI_SMS_TENCENT_TEMPLATES[notification]",
                "LINLI_SMS_TENCENT_RECEIPT_SECRET",
            ],
        ),
        (
            "aliyun",
            [
                "LINLI_SMS_ALIYUN_SIGN_NAME",
                "LINLI_SMS_ALIYUN_TEMPLATES[notification]",
                "LINLI_SMS_ALIYUN_RECEIPT_SECRET",
            ],
        ),
        ("twilio", ["LINLI_SMS_GATEWAYS: a known name (aliyun, tencent)"]),
    ]
    assert "very-secret" not in str(checks) and "LTAI-configured" not in str(checks)


def test_it_needs_nothing_more_once_configured(sms_gateways):
    assert [(c["name"], c["missing"]) for c in check_configuration()] == [("aliyun", []), ("tencent", [])]
