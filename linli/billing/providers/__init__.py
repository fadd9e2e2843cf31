"""The providers this installation offers (`LINLI_PAY_PROVIDERS`), built from settings.

A provider is built once per configuration: keys are read from their files the first time and
kept, and a change of settings (tests) builds a new one.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from linli.billing.providers import rsa
from linli.billing.providers.alipay import Alipay, AlipayConfig
from linli.billing.providers.base import Provider
from linli.billing.providers.sandbox import Sandbox
from linli.billing.providers.wechatpay import WeChatPay, WeChatPayConfig


def enabled() -> list[str]:
    return [name for name in settings.LINLI_PAY_PROVIDERS if name in ("wechat", "alipay", "sandbox")]


def get(channel: str) -> Provider:
    """The provider of an enabled channel; KeyError for anything else."""
    if channel not in enabled():
        raise KeyError(channel)
    if channel == "sandbox":
        return Sandbox()
    if channel == "wechat":
        return _wechat(
            settings.LINLI_WECHATPAY_MCHID,
            settings.LINLI_WECHATPAY_APPID,
            settings.LINLI_WECHATPAY_SERIAL,
            settings.LINLI_WECHATPAY_KEY_FILE,
            settings.LINLI_WECHATPAY_APIV3_KEY,
            tuple(settings.LINLI_WECHATPAY_PLATFORM_KEYS),
            settings.LINLI_WECHATPAY_BASE_URL,
            settings.LINLI_PUBLIC_URL,
        )
    return _alipay(
        settings.LINLI_ALIPAY_APP_ID,
        settings.LINLI_ALIPAY_KEY_FILE,
        settings.LINLI_ALIPAY_PUBLIC_KEY_FILE,
        settings.LINLI_ALIPAY_GATEWAY,
    )


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def platform_keys(entries: tuple[str, ...]) -> dict:
    """`LINLI_WECHATPAY_PLATFORM_KEYS`: certificate files (named by their own serial) or
    `PUB_KEY_ID_…=path` for a 微信支付公钥 (public key) file."""
    keys = {}
    for entry in entries:
        name, _, path = entry.rpartition("=")
        pem = _read(path)
        keys[name or rsa.certificate_serial(pem)] = rsa.load_public(pem)
    return keys


@lru_cache(maxsize=4)
def _wechat(mchid, appid, serial, key_file, apiv3_key, platform, base_url, public_url):
    return WeChatPay(
        WeChatPayConfig(
            mchid=mchid,
            appid=appid,
            serial=serial,
            private_key=rsa.load_private(_read(key_file)),
            apiv3_key=apiv3_key.encode(),
            platform_keys=platform_keys(platform),
            base_url=base_url.rstrip("/"),
            refund_notify_url=f"{public_url}/api/v1/billing/notify/wechat",
        )
    )


@lru_cache(maxsize=4)
def _alipay(app_id, key_file, public_key_file, gateway):
    return Alipay(
        AlipayConfig(
            app_id=app_id,
            private_key=rsa.load_private(_read(key_file)),
            alipay_public_key=rsa.load_public(_read(public_key_file)),
            gateway=gateway,
        )
    )
