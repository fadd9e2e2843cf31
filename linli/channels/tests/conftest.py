import pytest

from linli.channels.tests.fakes import FakeDingTalk, FakeWeCom

CORP_ID, AGENT_ID, SECRET = "ww1234567890abcdef", 1000002, "wecom-app-secret-not-for-logs"
ROBOT_TOKEN, SIGN_SECRET = "robot-access-token-0001", "SECsign-secret-not-for-logs"
APP_KEY, APP_SECRET, DING_AGENT_ID = "dingappkey0001", "dingtalk-app-secret-not-for-logs", 2000001
TECH_PHONE, TECH_USERID = "13700000001", "LiShifu"
ADMIN_PHONE, ADMIN_USERID = "13700000002", "ZhangGuanli"
MEMBERS = {TECH_PHONE: TECH_USERID, ADMIN_PHONE: ADMIN_USERID}


@pytest.fixture
def inline_tasks(settings):
    """Background tasks run as they are enqueued (convention 8: tests run tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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
