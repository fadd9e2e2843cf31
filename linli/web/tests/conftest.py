import pytest

from linli.notify.fakes import sms_outbox  # noqa: F401  (the recording SMS gateway fixture)


@pytest.fixture
def request_code(sms_outbox, django_capture_on_commit_callbacks):  # noqa: F811
    """Step 1 of the resident login: posts the phone and returns (response, the code the SMS carried).
    The SMS leaves after commit, so the test runs the commit callbacks."""

    def post(client, phone: str, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/login/", {"phone": phone}, **headers)
        return response, (sms_outbox[-1].params["code"] if sms_outbox else None)

    return post


def text_of(response) -> str:
    return response.content.decode()
