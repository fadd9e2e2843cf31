import pytest

from linli.channels.tests.fakes import FakeDingTalkRobot, FakeWeCom

CORP_ID, AGENT_ID, SECRET = "ww1234567890abcdef", 1000002, "wecom-app-secret-not-for-logs"
ROBOT_TOKEN, SIGN_SECRET = "robot-access-token-0001", "SECsign-secret-not-for-logs"
TECH_PHONE, TECH_USERID = "13700000001", "LiShifu"
ADMIN_PHONE, ADMIN_USERID = "13700000002", "ZhangGuanli"


@pytest.fixture
def inline_tasks(settings):
    """Background tasks run as they are enqueued (convention 8: tests run tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def wecom_server(settings):
    server = FakeWeCom(CORP_ID, AGENT_ID, SECRET, {TECH_PHONE: TECH_USERID, ADMIN_PHONE: ADMIN_USERID})
    settings.LINLI_WECOM_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def dingtalk_server(settings):
    server = FakeDingTalkRobot(ROBOT_TOKEN, SIGN_SECRET)
    settings.LINLI_DINGTALK_BASE_URL = server.url
    yield server
    server.stop()
