import pytest

from linli.notify.fakes import sms_outbox  # noqa: F401  (fixture)


@pytest.fixture
def inline_tasks(settings):
    """Background tasks run as they are enqueued (convention 8: tests run tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
