"""The access tokens of WeChat, WeCom and DingTalk, fetched once for all processes and threads.

Each API hands out a token valid for about two hours, within a daily quota, and WeChat's
`cgi-bin/token` invalidates the previous token when a new one is fetched: two processes refreshing
at once would each break the other's. So the token lives in the database (`AccessToken`,
encrypted), and a refresh happens inside a transaction that first writes the row — a row lock on
PostgreSQL, the database's write lock on SQLite — and reads it again: the process that waited
finds the fresh token and does not fetch another.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from linli.channels.models import AccessToken

# Refreshed this long before it expires, so that a call never carries a token about to lapse.
MARGIN = timedelta(minutes=5)

# `fetch()` asks the provider for a new token: (token, seconds it is valid for).
Fetch = Callable[[], tuple[str, int]]


def current(key: str, fetch: Fetch) -> str:
    """The valid token of `key` (e.g. "wechat:<appid>"), fetched when there is none or it is
    about to expire."""
    found = AccessToken.objects.filter(key=key).first()
    if found is not None and _fresh(found):
        return found.token
    return _refresh(key, fetch)


def invalidate(key: str, token: str) -> None:
    """The provider refused `token` as invalid or expired (WeChat 40001/42001, WeCom 40014/42001):
    the next `current` fetches a new one — unless another process already has (the row then
    holds another token, which stays)."""
    found = AccessToken.objects.filter(key=key).first()
    if found is not None and found.token == token:
        AccessToken.objects.filter(pk=found.pk, expires_at=found.expires_at).update(expires_at=None)


def _fresh(found: AccessToken) -> bool:
    return bool(found.token) and found.expires_at is not None and found.expires_at - MARGIN > timezone.now()


@transaction.atomic
def _refresh(key: str, fetch: Fetch) -> str:
    AccessToken.objects.get_or_create(key=key)
    AccessToken.objects.filter(key=key).update(refreshed_at=timezone.now())  # takes the lock
    found = AccessToken.objects.get(key=key)
    if _fresh(found):
        return found.token  # another process refreshed it while this one waited
    token, valid_for = fetch()
    found.token, found.expires_at = token, timezone.now() + timedelta(seconds=valid_for)
    found.save(update_fields=["token", "expires_at"])
    return token
