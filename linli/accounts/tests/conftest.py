import pytest

from linli.notify.fakes import sms_outbox  # noqa: F401  (fixture)
from linli.testing.sms_gateways import fake_aliyun, fake_tencent, sms_gateways  # noqa: F401  (fixtures)


@pytest.fixture
def sms_code(sms_outbox, django_capture_on_commit_callbacks):  # noqa: F811
    """Requests a code through the API the way the app does; returns the code the fake
    gateway received."""

    def request(client, phone: str, **headers) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/auth/sms-code", {"phone": phone}, **headers)
        assert r.status_code == 202, r.content
        return sms_outbox[-1].params["code"]

    return request


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff tests hash passwords often; the production hasher is Django's own, tested there."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
