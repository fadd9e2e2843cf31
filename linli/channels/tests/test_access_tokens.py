"""The third parties' access tokens: fetched once, shared, refreshed before they lapse, and
fetched by one thread only when many ask at once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from linli.channels import access_tokens
from linli.channels.dingtalk import DingTalkApp
from linli.channels.models import AccessToken
from linli.channels.wecom import WeComApp


class Provider:
    """Stands in for the token endpoint: every fetch hands out a new token."""

    def __init__(self, valid_for: int = 7200):
        self.fetched = 0
        self.valid_for = valid_for
        self.lock = threading.Lock()

    def __call__(self) -> tuple[str, int]:
        with self.lock:
            self.fetched += 1
            return f"token-{self.fetched}", self.valid_for


@pytest.mark.django_db
def test_a_token_is_fetched_once_and_kept_encrypted():
    provider = Provider()
    assert access_tokens.current("wechat:wx1", provider) == "token-1"
    assert access_tokens.current("wechat:wx1", provider) == "token-1"
    assert provider.fetched == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM channels_accesstoken")
        assert "token-1" not in cursor.fetchone()[0]
    # Another credential has a token of its own.
    assert access_tokens.current("wecom:corp:1000002", provider) == "token-2"


@pytest.mark.django_db
def test_a_token_about_to_lapse_or_refused_is_fetched_again():
    provider = Provider()
    access_tokens.current("k", provider)
    AccessToken.objects.filter(key="k").update(expires_at=timezone.now() + timedelta(minutes=4))
    assert access_tokens.current("k", provider) == "token-2"
    access_tokens.invalidate("k", "token-1")  # an old token refused: the new one stays
    assert access_tokens.current("k", provider) == "token-2"
    access_tokens.invalidate("k", "token-2")
    assert access_tokens.current("k", provider) == "token-3"
    assert provider.fetched == 3


@pytest.mark.django_db(transaction=True)
def test_many_asking_at_once_fetch_one_token():
    provider = Provider()
    seen: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def ask():
        try:
            start.wait()
            seen.append(access_tokens.current("wechat:wx1", provider))
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert provider.fetched == 1
    assert seen == ["token-1"] * 6


def test_a_token_is_shared_only_by_those_who_hold_the_same_secret():
    """A community naming another's corp and agent (public ids) with any secret is not handed
    that corp's token; the secret is in no key and no repr."""
    theirs, mine = WeComApp("ww1", "1000002", "their-secret"), WeComApp("ww1", "1000002", "a-guess")
    assert theirs.token_key != mine.token_key
    assert theirs.token_key == WeComApp("ww1", "1000002", "their-secret").token_key
    robot = DingTalkApp("dingkey", "ding-secret", "2000001")
    for app, secret in ((theirs, "their-secret"), (robot, "ding-secret")):
        assert secret not in app.token_key and secret not in repr(app)
