"""Alibaba Cloud SMS (阿里云短信服务, API 2017-05-25) through its official SDK: SendSms with the
registered signature (SignName), the template's code (TemplateCode) and its variables as a JSON
object (TemplateParam); delivery receipts are its HTTP push of SmsReport."""

import json

from django.utils.translation import gettext_lazy as _
from Tea.exceptions import TeaException

from linli.notify.sms_gateways.base import Gateway, Receipt, gateway_time, receipt_items


class AliyunGateway(Gateway):
    name = "aliyun"
    label = _("阿里云短信")
    required = ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME")
    # The per-number flow control (1 a minute, 5 an hour, 10 a day for codes) and a bad number.
    recipient_codes = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.MOBILE_NUMBER_ILLEGAL"})

    def deliver(self, phone: str, template_id: str, template: str, params: dict[str, str]) -> str:
        # Imported here: the SDK brings aiohttp and more, a second of start-up that only a
        # process sending through Alibaba Cloud should pay (the URLs import this module).
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.models import Config

        client = Client(
            Config(
                access_key_id=self.setting("ACCESS_KEY_ID"),
                access_key_secret=self.setting("ACCESS_KEY_SECRET"),
                endpoint=self.host,
                protocol=self.scheme,
                connect_timeout=int(self.timeout * 1000),
                read_timeout=int(self.timeout * 1000),
            )
        )
        request = SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.setting("SIGN_NAME"),
            template_code=template_id,
            template_param=json.dumps(params, ensure_ascii=False),
        )
        try:
            answer = client.send_sms(request).body
        except TeaException as exc:
            if exc.code is None:  # no answer: only the error's kind, its text holds the URL and so the phone
                raise self.failure("network", type(getattr(exc, "inner_exception", exc)).__name__) from exc
            raise self.failure(exc.code, exc.message) from exc  # HTTP 4xx/5xx with the gateway's code
        if answer.code != "OK":  # refusals come as HTTP 200 with the reason in Code
            raise self.failure(answer.code, answer.message)
        return answer.biz_id

    @staticmethod
    def receipts(payload) -> list[Receipt]:
        return [
            Receipt(
                message_id=str(item["biz_id"]),
                delivered=item.get("success") is True,
                code=str(item.get("err_code") or ""),
                reported_at=gateway_time(item.get("report_time")),
            )
            for item in receipt_items(payload)
            if item.get("biz_id")
        ]

    @staticmethod
    def receipt_answer(ok: bool) -> dict:
        # The gateway checks only that code is a number; it posts again on a non-200 status.
        return {"code": 0, "msg": "成功"} if ok else {"code": 1, "msg": "无法解析"}
