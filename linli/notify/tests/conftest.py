import pytest

from linli.notify.fakes import sms_outbox  # noqa: F401  (fixture)
from linli.testing.sms_gateways import fake_aliyun, fake_tencent, sms_gateways  # noqa: F401  (fixtures)


@pytest.fixture
def inline_tasks(settings):
    """Background tasks run as they are enqueued (convention 8: tests run tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
