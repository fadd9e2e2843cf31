"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11) through its official SDK: SendSms with the
application (SmsSdkAppId), the registered signature (SignName), the template's id (TemplateId)
and its variables as an ordered list (TemplateParamSet: {1}, {2}, ...) to "+86..." numbers;
delivery receipts are its status callback (短信下发状态通知)."""

from django.utils.translation import gettext_lazy as _
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111.models import SendSmsRequest
from tencentcloud.sms.v20210111.sms_client import SmsClient

from linli.core.crypto import normalize
from linli.notify.sms import parameter_order
from linli.notify.sms_gateways.base import Gateway, Receipt, gateway_time, receipt_items


class TencentGateway(Gateway):
    name = "tencent"
    label = _("腾讯云短信")
    required = ("SECRET_ID", "SECRET_KEY", "SDK_APP_ID", "SIGN_NAME")
    # LimitExceeded.PhoneNumber{ThirtySecond,OneHour,Daily,SameContentDaily}Limit: one number's
    # limits; DeliveryFrequencyLimit: the frequency policy, also counted per number.
    recipient_codes = frozenset(
        {
            "LimitExceeded.DeliveryFrequencyLimit",
            "InvalidParameterValue.IncorrectPhoneNumber",
            "FailedOperation.PhoneNumberInBlacklist",
        }
    )
    recipient_prefixes = ("LimitExceeded.PhoneNumber",)

    def deliver(self, phone: str, template_id: str, template: str, params: dict[str, str]) -> str:
        client = SmsClient(
            Credential(self.setting("SECRET_ID"), self.setting("SECRET_KEY")),
            self.setting("REGION"),
            ClientProfile(
                httpProfile=HttpProfile(protocol=self.scheme, endpoint=self.host, reqTimeout=self.timeout)
            ),
        )
        request = SendSmsRequest()
        request.SmsSdkAppId = self.setting("SDK_APP_ID")
        request.SignName = self.setting("SIGN_NAME")
        request.TemplateId = template_id
        request.TemplateParamSet = [params[name] for name in parameter_order(template)]
        request.PhoneNumberSet = [f"+86{normalize('phone', phone)}"]
        try:
            answer = client.SendSms(request)
        except TencentCloudSDKException as exc:  # Response.Error, a non-200 status, or no answer
            raise self.failure(exc.code or "network", exc.message or "") from exc
        status = answer.SendStatusSet[0]
        if status.Code != "Ok":  # a refusal of this number comes inside a successful response
            raise self.failure(status.Code, status.Message)
        return status.SerialNo

    @staticmethod
    def receipts(payload) -> list[Receipt]:
        return [
            Receipt(
                message_id=str(item["sid"]),
                delivered=item.get("report_status") == "SUCCESS",
                code=str(item.get("errmsg") or ""),
                reported_at=gateway_time(item.get("user_receive_time")),
            )
            for item in receipt_items(payload)
            if item.get("sid")
        ]

    @staticmethod
    def receipt_answer(ok: bool) -> dict:
        return {"result": 0, "errmsg": "OK"} if ok else {"result": 1, "errmsg": "bad receipt body"}
