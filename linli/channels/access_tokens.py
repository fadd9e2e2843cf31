"""The access tokens of WeChat, WeCom and DingTalk, fetched once for all processes and threads.

Each API hands out a token valid for about two hours, within a daily quota, and WeChat's
`cgi-bin/token` invalidates the previous token when a new one is fetched: two processes refreshing
at once would each break the other's. So the token lives in the database (`AccessToken`,
encrypted), and the process that needs a new one first claims the row by a conditional update of
`refreshed_at`; the others wait for its token instead of fetching their own. No transaction is
held while the provider answers: on SQLite that would hold the database's write lock for as long
as an unreachable provider takes to time out.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from linli.channels.models import AccessToken

# Refreshed this long before it expires, so that a call never carries a token about to lapse.
MARGIN = timedelta(minutes=5)
# A refresh claimed by another process is waited for this long (the providers' timeout and more).
CLAIM = timedelta(seconds=30)
WAIT_STEP = 0.1  # seconds between looks at the row while waiting

# `fetch()` asks the provider for a new token: (token, seconds it is valid for).
Fetch = Callable[[], tuple[str, int]]


def secret_digest(secret: str) -> str:
    """A short digest of a credential's secret for a token's key: tokens are shared by whoever
    holds the same secret, never handed to one who only knows the app's public id."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


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
        AccessToken.objects.filter(pk=found.pk, expires_at=found.expires_at).update(
            expires_at=None, refreshed_at=None
        )


def _fresh(found: AccessToken) -> bool:
    return bool(found.token) and found.expires_at is not None and found.expires_at - MARGIN > timezone.now()


def _refresh(key: str, fetch: Fetch) -> str:
    AccessToken.objects.get_or_create(key=key)
    waited_until = time.monotonic() + CLAIM.total_seconds()
    while not _claim(key):
        found = AccessToken.objects.get(key=key)
        if _fresh(found):
            return found.token  # the process that claimed it has fetched it
        if time.monotonic() > waited_until:
            break  # that process never finished: fetch without it
        time.sleep(WAIT_STEP)
    try:
        token, valid_for = fetch()
    except BaseException:
        AccessToken.objects.filter(key=key).update(refreshed_at=None)  # the next caller tries at once
        raise
    found = AccessToken.objects.get(key=key)
    found.token, found.expires_at = token, timezone.now() + timedelta(seconds=valid_for)
    found.save(update_fields=["token", "expires_at"])
    return token


def _claim(key: str) -> bool:
    now = timezone.now()
    unclaimed = Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=now - CLAIM)
    return bool(AccessToken.objects.filter(unclaimed, key=key).update(refreshed_at=now))
