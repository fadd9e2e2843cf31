"""Fake Alibaba Cloud and Tencent Cloud SMS servers on 127.0.0.1 for tests: they check each
request's signature the way the real gateways do (recomputed from the published algorithms, not
taken from the SDKs) and answer in the real shapes, so the provider code under test is the
production code with only its endpoint changed.

A fake answers OK unless told otherwise: `fake.refuse(code)` answers a refusal in the gateway's
own way, `fake.down()` a 503, `fake.hang()` nothing until the client gives up.
"""

import hashlib
import hmac
import json
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

ALIYUN_KEY = ("LTAI-test-key-id", "aliyun-test-secret")
TENCENT_KEY = ("AKID-test-secret-id", "tencent-test-secret-key")
ALIYUN_TEMPLATES = {"login_code": "SMS_100", "notification": "SMS_200"}
TENCENT_TEMPLATES = {"login_code": "1100", "notification": "2200"}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class FakeGateway:
    """One HTTP server in a thread. `sent` holds the parameters of every message it accepted."""

    def __init__(self, key: tuple[str, str]):
        self.key_id, self.secret = key
        self.sent: list[dict] = []
        self.mode = ("ok", "")
        self.released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = fake.answer(self.command, self.path, self.headers, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll interval: stopping waits for one, twice per test with both fakes.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def refuse(self, code: str):
        self.mode = ("refuse", code)

    def down(self):
        self.mode = ("down", "")

    def hang(self):
        self.mode = ("hang", "")

    def answer(self, method, path, headers, body) -> tuple[int, dict]:
        mode, code = self.mode
        if mode == "hang":
            self.released.wait(10)
        if mode == "down":
            return self.outage()
        return self.handle(method, path, headers, body, refusal=code if mode == "refuse" else "")

    def outage(self) -> tuple[int, dict]:
        raise NotImplementedError

    def handle(self, method, path, headers, body, *, refusal: str) -> tuple[int, dict]:
        raise NotImplementedError


class FakeAliyun(FakeGateway):
    """dysmsapi 2017-05-25 SendSms, RPC style with the ACS3-HMAC-SHA256 signature: the
    parameters in the query string, the signature in the Authorization header."""

    def outage(self):
        return 503, {
            "Code": "ServiceUnavailable",
            "Message": "The service is unavailable.",
            "RequestId": str(uuid.uuid4()),
        }

    def handle(self, method, path, headers, body, *, refusal):
        request_id = str(uuid.uuid4())
        url = urlsplit(path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
            return 400, {
                "Code": "InvalidAction.NotFound",
                "Message": "no such action",
                "RequestId": request_id,
            }
        algorithm, _, fields = (headers.get("Authorization") or "").partition(" ")
        auth = dict(part.split("=", 1) for part in fields.split(",") if "=" in part)
        if algorithm != "ACS3-HMAC-SHA256" or auth.get("Credential") != self.key_id:
            return 404, {
                "Code": "InvalidAccessKeyId.NotFound",
                "Message": "Specified access key is not found.",
                "RequestId": request_id,
            }
        if headers.get("x-acs-content-sha256") != _sha256(body):
            return 400, {"Code": "IncompleteSignature", "Message": "payload hash", "RequestId": request_id}
        if not hmac.compare_digest(
            auth.get("Signature", ""), self.signature(method, url.path, query, headers, auth, body)
        ):
            return 400, {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched.",
                "RequestId": request_id,
            }
        if refusal:
            return 200, {"Code": refusal, "Message": "refused by the fake", "RequestId": request_id}
        self.sent.append(query | {"TemplateParam": json.loads(query["TemplateParam"])})
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"{len(self.sent)}00^0", "RequestId": request_id}

    def signature(self, method, path, query, headers, auth, body) -> str:
        signed = auth.get("SignedHeaders", "").split(";")
        canonical = "\n".join(
            [
                method,
                path or "/",
                "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(query.items())),
                "".join(f"{name}:{(headers.get(name) or '').strip()}\n" for name in signed),
                ";".join(signed),
                _sha256(body),
            ]
        )
        to_sign = f"ACS3-HMAC-SHA256\n{_sha256(canonical.encode())}"
        return _hmac(self.secret.encode(), to_sign).hex()


class FakeTencent(FakeGateway):
    """sms 2021-01-11 SendSms: JSON body, TC3-HMAC-SHA256 signature in the Authorization header."""

    def outage(self):
        return 502, {"message": "bad gateway"}

    def handle(self, method, path, headers, body, *, refusal):
        request_id = str(uuid.uuid4())
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return 200, self.error("InvalidAction", "no such action", request_id)
        algorithm, _, fields = (headers.get("Authorization") or "").partition(" ")
        auth = dict(part.strip().split("=", 1) for part in fields.split(",") if "=" in part)
        scope = auth.get("Credential", "").split("/")  # SecretId/date/service/tc3_request
        if algorithm != "TC3-HMAC-SHA256" or len(scope) != 4 or scope[0] != self.key_id:
            return 200, self.error("AuthFailure.SecretIdNotFound", "The SecretId is not found.", request_id)
        _key_id, date, service, _terminator = scope
        timestamp = headers.get("X-TC-Timestamp") or "0"
        stamped = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
        if date != stamped or service != "sms":
            return 200, self.error("AuthFailure.InvalidAuthorization", "bad credential scope", request_id)
        if not hmac.compare_digest(
            auth.get("Signature", ""), self.signature(method, path, headers, auth, body, date, timestamp)
        ):
            return 200, self.error(
                "AuthFailure.SignatureFailure", "The provided credentials could not be validated.", request_id
            )
        params = json.loads(body)
        phone = params["PhoneNumberSet"][0]
        if refusal.startswith(("AuthFailure", "InternalError", "FailedOperation.InsufficientBalance")):
            return 200, self.error(refusal, "refused by the fake", request_id)
        serial = f"2645:{len(self.sent) + 1:030d}"
        status = {
            "SerialNo": "" if refusal else serial,
            "PhoneNumber": phone,
            "Fee": 0 if refusal else 1,
            "SessionContext": "",
            "Code": refusal or "Ok",
            "Message": "refused by the fake" if refusal else "send success",
            "IsoCode": "CN",
        }
        if not refusal:
            self.sent.append(params)
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}}

    @staticmethod
    def error(code, message, request_id):
        return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

    def signature(self, method, path, headers, auth, body, date, timestamp) -> str:
        signed = auth.get("SignedHeaders", "").split(";")
        canonical = "\n".join(
            [
                method,
                urlsplit(path).path,
                urlsplit(path).query,
                "".join(f"{name}:{(headers.get(name) or '').strip().lower()}\n" for name in signed),
                ";".join(signed),
                _sha256(body),
            ]
        )
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{_sha256(canonical.encode())}"
        key = _hmac(_hmac(_hmac(f"TC3{self.secret}".encode(), date), "sms"), "tc3_request")
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def fake_aliyun(settings):
    fake = FakeAliyun(ALIYUN_KEY)
    settings.LINLI_SMS_ALIYUN_ACCESS_KEY_ID, settings.LINLI_SMS_ALIYUN_ACCESS_KEY_SECRET = ALIYUN_KEY
    settings.LINLI_SMS_ALIYUN_SIGN_NAME = "邻里物业"
    settings.LINLI_SMS_ALIYUN_TEMPLATES = ALIYUN_TEMPLATES
    settings.LINLI_SMS_ALIYUN_ENDPOINT = fake.url
    settings.LINLI_SMS_ALIYUN_RECEIPT_SECRET = "aliyun-receipts-7f3a"
    yield fake
    fake.stop()


@pytest.fixture
def fake_tencent(settings):
    fake = FakeTencent(TENCENT_KEY)
    settings.LINLI_SMS_TENCENT_SECRET_ID, settings.LINLI_SMS_TENCENT_SECRET_KEY = TENCENT_KEY
    settings.LINLI_SMS_TENCENT_SDK_APP_ID = "1400006666"
    settings.LINLI_SMS_TENCENT_SIGN_NAME = "邻里物业"
    settings.LINLI_SMS_TENCENT_TEMPLATES = TENCENT_TEMPLATES
    settings.LINLI_SMS_TENCENT_ENDPOINT = fake.url
    settings.LINLI_SMS_TENCENT_RECEIPT_SECRET = "tencent-receipts-9c1e"
    yield fake
    fake.stop()


@pytest.fixture
def sms_gateways(settings, fake_aliyun, fake_tencent):
    """Routes SMS through the failover chain, Alibaba Cloud first, each gateway its fake; a
    gateway that does not answer counts as down after a second."""
    settings.LINLI_SMS_GATEWAYS = ["aliyun", "tencent"]
    settings.LINLI_SMS_PROVIDER = "linli.notify.sms_gateways.failover.FailoverSmsProvider"
    settings.LINLI_SMS_TIMEOUT_SECONDS = 1
    return fake_aliyun, fake_tencent
