import json
from urllib.parse import parse_qs, urlsplit

import pytest

from linli.billing.tests.pay_support import merchant, wechat_server  # noqa: F401  (WeChat Pay's fake)
from linli.channels.tests import fake_wechat
from linli.channels.tests.fakes import FakeDingTalk, FakeWeCom
from linli.notify.fakes import sms_outbox  # noqa: F401  (the recording SMS gateway fixture)

CORP_ID, AGENT_ID, SECRET = "ww1234567890abcdef", 1000002, "wecom-app-secret-not-for-logs"
ROBOT_TOKEN, SIGN_SECRET = "robot-access-token-0001", "SECsign-secret-not-for-logs"
APP_KEY, APP_SECRET, DING_AGENT_ID = "dingappkey0001", "dingtalk-app-secret-not-for-logs", 2000001
TECH_PHONE, TECH_USERID = "13700000001", "LiShifu"
ADMIN_PHONE, ADMIN_USERID = "13700000002", "ZhangGuanli"
MEMBERS = {TECH_PHONE: TECH_USERID, ADMIN_PHONE: ADMIN_USERID}


@pytest.fixture
def wecom_server(settings):
    server = FakeWeCom(CORP_ID, AGENT_ID, SECRET, MEMBERS)
    settings.LINLI_WECOM_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def dingtalk_server(settings):
    server = FakeDingTalk(ROBOT_TOKEN, SIGN_SECRET, (APP_KEY, APP_SECRET, DING_AGENT_ID), MEMBERS)
    settings.LINLI_DINGTALK_BASE_URL = server.url
    yield server
    server.stop()


TEMPLATES = {
    "billing.issued": {
        "id": "TPL-BILL-ISSUED",
        "fields": {"thing1": "title", "thing2": "body", "time3": "time"},
    },
}
OWNER_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
SUBSCRIBE_TEMPLATES = {"billing": {"id": "SUB-BILLING", "fields": {"thing1": "title", "thing2": "body"}}}


@pytest.fixture
def wechat(settings):
    """This installation with an official account and a mini-program, both answered by a fake
    WeChat server on 127.0.0.1."""
    fake, server = fake_wechat.serve()
    settings.LINLI_WECHAT_API_URL = fake.url
    settings.LINLI_WECHAT_AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"
    settings.LINLI_WECHAT_APPID = fake_wechat.OFFICIAL_APPID
    settings.LINLI_WECHAT_SECRET = fake_wechat.OFFICIAL_SECRET
    settings.LINLI_WECHAT_MINI_APPID = fake_wechat.MINI_APPID
    settings.LINLI_WECHAT_MINI_SECRET = fake_wechat.MINI_SECRET
    settings.LINLI_WECHAT_TEMPLATES = json.dumps(TEMPLATES)
    settings.LINLI_WECHAT_SUBSCRIBE_TEMPLATES = json.dumps(SUBSCRIBE_TEMPLATES)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def wechat_sign_in(wechat):
    """The resident opens the H5 inside WeChat and authorises: start → WeChat → callback. Returns
    the callback's response."""

    def open_in_wechat(client, openid: str):
        start = client.get("/wechat/oauth/start")
        assert start.status_code == 302
        state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
        return client.get("/wechat/oauth/callback", {"code": wechat.code_for(openid), "state": state})

    return open_in_wechat


@pytest.fixture
def phone_check(sms_outbox, django_capture_on_commit_callbacks):  # noqa: F811
    """The bind page's two steps: the phone (an SMS code is sent), then the code. Returns the
    second step's response."""

    def check(client, phone: str, code: str | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post("/wechat/bind", {"phone": phone})
        assert first.status_code == 200, first.content.decode()
        return client.post("/wechat/bind", {"phone": phone, "code": code or sms_outbox[-1].params["code"]})

    return check


@pytest.fixture
def bound(world, browser, wechat_sign_in, phone_check):
    """The owner bound the official account through the H5, as a resident does; their browser."""
    client = browser()
    wechat_sign_in(client, OWNER_OPENID)
    assert phone_check(client, "13800000001").status_code == 302
    return client
