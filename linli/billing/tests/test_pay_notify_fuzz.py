"""POST /api/v1/billing/notify/<provider> under random input. It answers in each provider's own
format, so the OpenAPI fuzzer (core/tests/test_openapi_fuzz.py) does not reach it: this test
does, for every channel, with a new random seed each run (`LINLI_FUZZ_SEED=<n>` replays one;
a failure names it). Random bodies and headers, signatures truncated, flipped or made with
another key, stale or odd timestamps, huge bodies, and notifications signed with the right key
whose fields have the wrong type or the wrong amount: the answer is never a server error but
the provider's "send again" (fail) format, no bill is paid, nothing is posted, and the ledger
still verifies. A genuine notification afterwards pays, so the fuzz met a live endpoint."""

import json
import os
import random
import time
from urllib.parse import urlencode

from django.conf import settings

from linli.billing import providers
from linli.billing.choices import BillStatus, PaymentStatus
from linli.billing.models import Bill, LedgerTransaction, Payment
from linli.billing.providers import rsa
from linli.billing.providers.alipay import signing_string
from linli.billing.providers.amounts import yuan_of
from linli.billing.providers.wechatpay import encrypt_resource, signed_headers
from linli.billing.tests.pay_support import (
    ALIPAY_APP,
    APIV3,
    MCHID,
    PLATFORM_ID,
    alipay_notification,
    alipay_server,
    assert_ledger_ok,
    keys,
    make_bill,
    merchant,
    post_notification,
    wechat_notification,
    wechat_server,
)

__all__ = ["alipay_server", "merchant", "wechat_server"]  # fixtures

CASES_PER_CHANNEL = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "40"))
AMOUNT = 22375
ODD_VALUES = [None, True, 0, -1, 1.5, 10**30, "", "x" * 300, "²³", "\x00", "١٢٣", [], [1], {}, {"a": 1}]
WECHAT_HEADERS = ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"]


def odd(rng: random.Random):
    return rng.choice([*ODD_VALUES, rng.randbytes(rng.randrange(1, 40)).decode("latin-1")])


def text(rng: random.Random, size: int | None = None) -> str:
    size = rng.randrange(0, 200) if size is None else size
    return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 0x3000)])) for _ in range(size))


def some_order(rng: random.Random, no: str) -> str:
    """Mostly the order; sometimes a number nobody has, or nothing, or not text at all."""
    return no if rng.random() < 0.8 else rng.choice([text(rng, 32), "LL" + "9" * 30, "", "\x00"])


# --- WeChat Pay v3 (and the sandbox, which is WeChat with its own keys) ---------------------------


def wechat_keys(channel: str) -> dict:
    if channel == "sandbox":
        config = providers.get("sandbox").config  # type: ignore[attr-defined]
        return {
            "key": config.private_key,
            "serial": config.serial,
            "apiv3": config.apiv3_key.decode(),
            "mchid": "sandbox",
        }
    return {"key": keys()["platform"], "serial": PLATFORM_ID, "apiv3": APIV3, "mchid": MCHID}


def wechat_payload(rng: random.Random, no: str, mchid: str) -> dict:
    """A transaction as WeChat sends it, for the order, never for its amount (a wrong value or
    a wrong type), and sometimes something more off besides."""
    payload = {
        "mchid": mchid,
        "appid": "wxd678efh567hg6787",
        "out_trade_no": no,
        "transaction_id": "4200000" + rng.randbytes(8).hex(),
        "trade_state": "SUCCESS",
        "success_time": "2026-12-05T10:00:00+08:00",
        "amount": {"total": AMOUNT, "payer_total": AMOUNT, "currency": "CNY"},
    }
    amount = rng.choice(["value", "value", "type", "total_type"])
    if amount == "value":
        payload["amount"]["total"] = rng.choice([AMOUNT - 1, AMOUNT + 1, 1, 0, -AMOUNT, 10**18, 10**40])
    elif amount == "type":
        payload["amount"] = rng.choice([str(AMOUNT), [AMOUNT], AMOUNT, None, True])
    else:
        payload["amount"]["total"] = rng.choice([str(AMOUNT), float(AMOUNT), None, [AMOUNT], {"v": 1}, True])
    more = rng.choice(["none", "field_type", "success_time", "mchid"])
    if more == "field_type":
        field = rng.choice(["out_trade_no", "transaction_id", "trade_state", "mchid"])
        # (any other text in trade_state is a genuine "not paid", rightly acknowledged)
        nul = [] if field == "trade_state" else ["\x00" + no]
        payload[field] = rng.choice([123, None, [no], {"no": no}, 1.5, True, *nul])
    elif more == "success_time":
        payload["success_time"] = rng.choice(["yesterday", "2026-13-45T99:00:00", "", 20261205, None])
    elif more == "mchid":
        payload["mchid"] = "1900000999"
    return payload


def wechat_envelope(rng: random.Random, k: dict, payload) -> dict:
    plaintext = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    envelope = {
        "id": rng.randbytes(18).hex(),
        "create_time": "2026-12-05T10:00:01+08:00",
        "event_type": "TRANSACTION.SUCCESS",
        "resource_type": "encrypt-resource",
        "summary": "支付成功",
        "resource": encrypt_resource(k["apiv3"].encode(), plaintext, "transaction")
        | {"original_type": "transaction"},
    }
    if rng.random() < 0.4:  # the envelope itself is off
        target = rng.choice(["id", "event_type", "resource", "nonce", "ciphertext", "associated_data"])
        if target in ("nonce", "ciphertext", "associated_data"):
            envelope["resource"][target] = odd(rng)
        else:
            envelope[target] = odd(rng)
    return envelope


def wechat_case(rng: random.Random, channel: str, no: str) -> tuple[dict, bytes]:
    k = wechat_keys(channel)
    kind = rng.choice(["random", "json", "forged", "signed", "signed", "huge"])
    if kind == "random":
        headers = {
            rng.choice([*WECHAT_HEADERS, "X-" + text(rng, 5)]): text(rng, 30) for _ in range(rng.randrange(5))
        }
        return headers, rng.randbytes(rng.randrange(0, 2000))
    if kind == "json":  # valid-looking JSON, signed with the right key, that is not a notification
        body = json.dumps(
            rng.choice([[], {}, "x", 1, None, {"resource": odd(rng)}, {"id": odd(rng)}])
        ).encode()
        return signed_headers(k["key"], k["serial"], body), body
    if kind == "huge":
        body = json.dumps(
            {"id": "x", "resource": {"ciphertext": "A" * rng.randrange(100_000, 2_000_000)}}
        ).encode()
        return signed_headers(k["key"], k["serial"], body), body
    if kind == "signed":
        payload = wechat_payload(rng, no, k["mchid"])
        if rng.random() < 0.15:
            payload = rng.choice([b"not json", b"[1, 2]", b'"x"', b"\xff\xfe"])
        body = json.dumps(wechat_envelope(rng, k, payload)).encode()
        return signed_headers(k["key"], k["serial"], body), body
    # forged: a genuine notification for the right amount, then broken on its way
    no = some_order(rng, no)
    headers, body = wechat_notification(
        no, AMOUNT, key=k["key"], serial=k["serial"], apiv3=k["apiv3"], extra={"mchid": k["mchid"]}
    )
    how = rng.choice(["truncate_sig", "flip_sig", "other_key", "stale", "odd_time", "serial", "drop", "body"])
    signature = headers["Wechatpay-Signature"]
    if how == "truncate_sig":
        headers["Wechatpay-Signature"] = signature[: rng.randrange(len(signature))]
    elif how == "flip_sig":
        i = rng.randrange(len(signature) - 4)  # not the last character: some of its bits are padding
        headers["Wechatpay-Signature"] = (
            signature[:i] + ("A" if signature[i] != "A" else "B") + signature[i + 1 :]
        )
    elif how == "other_key":
        headers, body = wechat_notification(
            no, AMOUNT, key=keys()["app"], serial=k["serial"], apiv3=k["apiv3"]
        )
    elif how == "stale":
        headers, body = wechat_notification(
            no,
            AMOUNT,
            key=k["key"],
            serial=k["serial"],
            apiv3=k["apiv3"],
            at=int(time.time()) - 301 - rng.randrange(10**6),
        )
    elif how == "odd_time":
        headers["Wechatpay-Timestamp"] = rng.choice(["²³", "١٧٠٠٠٠٠٠٠٠", "-1", "1e9", " 1", "", "9" * 40])
    elif how == "serial":
        headers["Wechatpay-Serial"] = rng.choice(["", "OTHER", text(rng, 20)])
    elif how == "drop":
        headers.pop(rng.choice(WECHAT_HEADERS))
    else:
        cut = rng.randrange(len(body))
        body = body[:cut] + rng.randbytes(rng.randrange(0, 5))
    return headers, body


def wechat_fails(r) -> bool:
    return r.status_code == 400 and r.json().get("code") == "FAIL"


# --- Alipay ---------------------------------------------------------------------------------------


def alipay_case(rng: random.Random, no: str) -> tuple[dict, bytes]:
    kind = rng.choice(["random", "json", "forged", "signed", "signed", "huge"])
    if kind == "random":
        return {}, rng.randbytes(rng.randrange(0, 2000))
    if kind == "json":
        return {}, json.dumps({"out_trade_no": no, "total_amount": odd(rng), "sign": odd(rng)}).encode()
    if kind == "huge":
        return {}, alipay_notification(no, AMOUNT, extra={"body": "x" * rng.randrange(100_000, 2_000_000)})[
            :-3
        ]
    if kind == "forged":
        no = some_order(rng, no)
        body = alipay_notification(no, AMOUNT, key=rng.choice([keys()["app"], keys()["platform"]]))
        how = rng.choice(["as_is", "truncate", "sign_type", "no_sign"])
        if how == "truncate":
            body = body[: rng.randrange(len(body))]
        elif how == "sign_type":
            body = alipay_notification(no, AMOUNT, extra={"sign_type": rng.choice(["RSA", "", "rsa2"])})
        elif how == "no_sign":
            body = body.split(b"&sign=")[0]
        return {}, body
    # signed with Alipay's key, with at least one thing that must stop it paying
    params = {
        "notify_time": "2026-12-05 10:00:01",
        "notify_type": "trade_status_sync",
        "notify_id": rng.randbytes(16).hex(),
        "app_id": ALIPAY_APP,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": "2026120522001" + rng.randbytes(6).hex(),
        "out_trade_no": no,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": yuan_of(AMOUNT),
        "gmt_payment": "2026-12-05 10:00:00",
    }
    # Never the order's amount: a wrong one, or not an amount at all (unicode digits included).
    params["total_amount"] = rng.choice(
        [
            "Infinity",
            "-Infinity",
            "NaN",
            "sNaN",
            "1e999999",
            "223.7500001",
            "223.76",
            "-223.75",
            "",
            "２２３.７５",
            "٢٢٣.٧٥",
            "1" * 400,
            yuan_of(AMOUNT - 1),
        ]
    )
    more = rng.choice(["none", "gmt_payment", "app_id", "notify_id", "nul"])
    if more == "gmt_payment":
        params["gmt_payment"] = rng.choice(["yesterday", "2026-13-45 99:00:00", "2026-12-05T10:00:00"])
    elif more == "app_id":
        params["app_id"] = rng.choice(["", "2021999", text(rng, 10)])
    elif more == "notify_id":
        params["notify_id"] = rng.choice(["", "x" * 500])
    elif more == "nul":
        params[rng.choice(["notify_id", "out_trade_no", "trade_no"])] += "\x00"
    params["sign"] = rsa.sign(keys()["alipay"], signing_string(params))
    return {}, urlencode(params).encode()


def alipay_fails(r) -> bool:
    return (r.status_code, r.content) == (200, b"fail")


# --- the test -------------------------------------------------------------------------------------


def place(api, world, bill, channel) -> str:
    r = api(world.owner).post(
        "/billing/my/orders", {"house": world.house.pk, "channel": channel, "bills": [bill.pk]}
    )
    assert r.status_code == 201, r.content
    return r.json()["out_trade_no"]


def test_random_notifications_never_pay_and_are_answered_fail(request, merchant, world, api):
    # A new seed each run (in the body: a parametrised one would differ between xdist workers).
    seed = int(os.environ.get("LINLI_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    replay = f"replay with LINLI_FUZZ_SEED={seed}"
    bills = {
        channel: make_bill(world.house, AMOUNT, month=m)
        for m, channel in enumerate(["wechat", "alipay", "sandbox"], 10)
    }
    request.getfixturevalue("wechat_server")
    orders = {"wechat": place(api, world, bills["wechat"], "wechat")}
    request.getfixturevalue("alipay_server")  # now the transport: Alipay's
    orders["alipay"] = place(api, world, bills["alipay"], "alipay")
    orders["sandbox"] = place(api, world, bills["sandbox"], "sandbox")
    postings = LedgerTransaction.objects.count()

    for i in range(CASES_PER_CHANNEL * 3):
        channel = rng.choice(["wechat", "alipay", "sandbox"])
        headers, body = (
            alipay_case(rng, orders[channel])
            if channel == "alipay"
            else wechat_case(rng, channel, orders[channel])
        )
        try:
            r = post_notification(channel, headers, body)
        except Exception as error:
            error.add_note(f"case {i} ({channel}): {replay}")
            raise
        fails = alipay_fails(r) if channel == "alipay" else wechat_fails(r)
        assert fails, f"case {i} ({channel}) answered {r.status_code} {r.content[:200]!r}: {replay}"

    oversize = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)  # more than Django reads
    for channel in orders:
        r = post_notification(channel, {}, oversize)
        assert alipay_fails(r) if channel == "alipay" else wechat_fails(r), (channel, r.status_code)

    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 0, replay
    assert not Bill.objects.filter(status__in=[BillStatus.PAID, BillStatus.PARTLY_PAID]).exists(), replay
    assert LedgerTransaction.objects.count() == postings, replay
    assert_ledger_ok()

    # The endpoint is alive: a genuine notification still pays.
    k = wechat_keys("wechat")
    genuine = wechat_notification(orders["wechat"], AMOUNT, key=k["key"])
    assert post_notification("wechat", *genuine).status_code == 204, replay
    assert (
        post_notification("alipay", {}, alipay_notification(orders["alipay"], AMOUNT)).content == b"success"
    )
    assert Bill.objects.filter(status=BillStatus.PAID).count() == 2, replay
    assert_ledger_ok()


def test_an_unknown_channel_is_not_a_server_error(db):
    r = post_notification("paypal", {}, b"x")
    assert 400 <= r.status_code < 500
