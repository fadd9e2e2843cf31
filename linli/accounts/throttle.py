"""Rate limits and lockouts: fixed-window counters in the database.

A counter is a row keyed by "<limit name>:<subject>" with the start of its window and a count.
Every change is a conditional UPDATE, so several worker processes (and SQLite) agree without a
lock held across requests. A window opens at the first event, not on a clock boundary: "1 per
60 s" means 60 s after the event that opened the window.

Three uses:
- rate limits (`take_all`): an event is counted only while the window has room, else refused;
- lockouts (`refuse_if_locked` + `count_failure`): failures are counted; once a window holds
  `max` of them, the subject is refused until the window ends;
- sign-in lockouts (`SignInLimits`): failures are counted per (account, client), so a stranger
  who guesses elsewhere locks only themselves, with a higher ceiling per account that a client
  the account signed in from before (a known client) is not held to.
Subjects are never raw phone numbers: callers pass the phone's blind index.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from linli.accounts.models import ThrottleCounter
from linli.core.errors import ServiceError

_RACE_RETRIES = 5


@dataclass(frozen=True)
class Limit:
    name: str
    max: int
    window: timedelta

    def key(self, subject: str) -> str:
        return f"{self.name}:{subject}"[:200]


class Throttled(ServiceError):
    """429 with the seconds to wait, in `fields["retry_after"]` and (from the API) Retry-After."""

    status = 429

    def __init__(self, code: str, message, retry_after: int):
        super().__init__(code, message, fields={"retry_after": retry_after})
        self.retry_after = retry_after


def wait_text(seconds: int) -> str:
    """ "30 秒" or "15 分钟": how long to wait, as a person would say it."""
    if seconds < 90:
        return ngettext("%(n)d 秒", "%(n)d 秒", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}


def _seconds_left(window_start: datetime, limit: Limit, now: datetime) -> int:
    return max(1, math.ceil((window_start + limit.window - now).total_seconds()))


def _bump(limit: Limit, subject: str, now: datetime, *, capped: bool) -> int | None:
    """Counts one event. With `capped`, only while the window has room; returns the seconds
    until it has room when it has none, else None."""
    key = limit.key(subject)
    live = ThrottleCounter.objects.filter(key=key, window_start__gt=now - limit.window)
    for _attempt in range(_RACE_RETRIES):
        target = live.filter(count__lt=limit.max) if capped else live
        if target.update(count=F("count") + 1):
            return None
        row = live.values_list("window_start", "count").first()
        if row is not None:
            if row[1] >= limit.max:
                return _seconds_left(row[0], limit, now)
            continue  # the window changed under us; try again
        restarted = ThrottleCounter.objects.filter(key=key, window_start__lte=now - limit.window).update(
            window_start=now, expires_at=now + limit.window, count=1
        )
        if restarted:
            return None
        try:
            with transaction.atomic():
                ThrottleCounter.objects.create(
                    key=key, window_start=now, expires_at=now + limit.window, count=1
                )
            return None
        except IntegrityError:
            continue  # another process opened the window first; count against its row
    # Only a storm of writers on one key gets here; refusing is the safe answer.
    return int(limit.window.total_seconds())


def take_all(checks: list[tuple[Limit, str]], *, now: datetime | None = None) -> None:
    """Counts one event against every (limit, subject), or against none of them: when one is
    full, nothing is counted and `Throttled` says how long to wait."""
    now = now or timezone.now()
    with transaction.atomic():
        for limit, subject in checks:
            wait = _bump(limit, subject, now, capped=True)
            if wait is not None:
                raise Throttled(
                    "rate_limited",
                    _("操作太频繁，请 %(wait)s后再试") % {"wait": wait_text(wait)},
                    wait,
                )


def locked_for(limit: Limit, subject: str, *, now: datetime | None = None) -> int | None:
    """Seconds until the subject may try again, or None when it is not locked out."""
    now = now or timezone.now()
    row = (
        ThrottleCounter.objects.filter(key=limit.key(subject), window_start__gt=now - limit.window)
        .values_list("window_start", "count")
        .first()
    )
    if row is None or row[1] < limit.max:
        return None
    return _seconds_left(row[0], limit, now)


def refuse_if_locked(checks: list[tuple[Limit, str]], *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    waits = [w for limit, subject in checks if (w := locked_for(limit, subject, now=now)) is not None]
    if waits:
        wait = max(waits)
        raise Throttled(
            "locked_out",
            _("失败次数过多，已暂时锁定，请 %(wait)s后再试") % {"wait": wait_text(wait)},
            wait,
        )


def count_failure(checks: list[tuple[Limit, str]], *, now: datetime | None = None) -> None:
    """Counts one failure against every (limit, subject). Commits on its own, so the count
    survives the error the caller raises next."""
    now = now or timezone.now()
    with transaction.atomic():
        for limit, subject in checks:
            _bump(limit, subject, now, capped=False)


def clear(limit: Limit, subject: str) -> None:
    ThrottleCounter.objects.filter(key=limit.key(subject)).delete()


def prune(now: datetime) -> int:
    """Drops counters whose window has ended; they count nothing any more."""
    return ThrottleCounter.objects.filter(expires_at__lt=now).delete()[0]


def _live(limit: Limit, subject: str, now: datetime) -> bool:
    return ThrottleCounter.objects.filter(
        key=limit.key(subject), window_start__gt=now - limit.window
    ).exists()


@dataclass(frozen=True)
class SignInLimits:
    """The failure limits of one way of signing in. `account` is what the person types (a
    lower-cased username, a phone's blind index), `client` where it comes from (the address).

    - `per_source`: failures of this account from this client: the lockout a user meets, and the
      only one a stranger guessing from elsewhere can trigger for the account — on themselves;
    - `per_client`: failures from this client, whatever the account (one guesser, many accounts);
    - `per_account`: failures of this account from everywhere: a higher ceiling that slows a
      guesser with many addresses; a known client (`known`: signed in to this account within its
      window) is not held to it, and SMS sign-in counts apart from passwords.
    """

    per_source: Limit
    per_client: Limit
    per_account: Limit
    known: Limit

    def _checks(self, account: str, client: str, now: datetime) -> list[tuple[Limit, str]]:
        pair = f"{account}|{client}"
        checks = [(self.per_source, pair), (self.per_client, client)]
        if not _live(self.known, pair, now):
            checks.append((self.per_account, account))
        return checks

    def refuse_if_locked(self, account: str, client: str, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        refuse_if_locked(self._checks(account, client, now), now=now)

    def failed(self, account: str, client: str, *, now: datetime | None = None) -> None:
        """Counts the failure everywhere (the ceiling too), then refuses if that locked it."""
        now = now or timezone.now()
        pair = f"{account}|{client}"
        count_failure(
            [(self.per_source, pair), (self.per_client, client), (self.per_account, account)], now=now
        )
        self.refuse_if_locked(account, client, now=now)

    def succeeded(self, account: str, client: str, *, now: datetime | None = None) -> None:
        """Clears this client's failures for the account and remembers the client as known. The
        account's ceiling stays: a guesser elsewhere does not get a fresh allowance from it."""
        now = now or timezone.now()
        pair = f"{account}|{client}"
        clear(self.per_source, pair)
        clear(self.known, pair)
        with transaction.atomic():
            _bump(self.known, pair, now, capped=False)
