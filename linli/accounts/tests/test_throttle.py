from datetime import UTC, datetime, timedelta

import pytest

from linli.accounts import limits, throttle
from linli.accounts.models import ThrottleCounter
from linli.accounts.periodic import prune_sign_in_state
from linli.accounts.throttle import Limit, Throttled

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
THREE_PER_MINUTE = Limit("test.3pm", 3, timedelta(minutes=1))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_it_allows_up_to_the_limit_then_says_how_long_to_wait(db):
    for s in range(3):
        throttle.take_all([(THREE_PER_MINUTE, "k")], now=at(s))
    with pytest.raises(Throttled) as refused:
        throttle.take_all([(THREE_PER_MINUTE, "k")], now=at(20))
    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after == 40
    assert refused.value.fields == {"retry_after": 40}
    throttle.take_all([(THREE_PER_MINUTE, "other")], now=at(20))


def test_it_opens_a_new_window_when_the_old_one_ends(db):
    for s in range(3):
        throttle.take_all([(THREE_PER_MINUTE, "k")], now=at(s))
    throttle.take_all([(THREE_PER_MINUTE, "k")], now=at(60))
    assert ThrottleCounter.objects.get().count == 1


def test_it_counts_nothing_when_one_of_several_limits_is_full(db):
    one = Limit("test.one", 1, timedelta(minutes=1))
    throttle.take_all([(one, "k")], now=at(0))
    with pytest.raises(Throttled):
        throttle.take_all([(THREE_PER_MINUTE, "k"), (one, "k")], now=at(1))
    assert not ThrottleCounter.objects.filter(key="test.3pm:k").exists()
    for s in range(3):
        throttle.take_all([(THREE_PER_MINUTE, "k")], now=at(2 + s))


def test_it_allows_five_codes_an_hour_to_one_phone(db):
    pair = [(limits.SMS_SEND_PHONE_MINUTE, "bidx"), (limits.SMS_SEND_PHONE_HOUR, "bidx")]
    for n in range(5):
        throttle.take_all(pair, now=at(61 * n))
    with pytest.raises(Throttled) as refused:
        throttle.take_all(pair, now=at(61 * 5))
    assert refused.value.retry_after == 3600 - 61 * 5
    throttle.take_all(pair, now=at(3600))


def test_it_locks_out_after_the_failures_and_lets_go_when_the_window_ends(db):
    checks = [(limits.SMS_FAIL.per_source, "bidx|10.0.0.1")]
    for n in range(9):
        throttle.count_failure(checks, now=at(n))
    throttle.refuse_if_locked(checks, now=at(10))
    throttle.count_failure(checks, now=at(10))
    with pytest.raises(Throttled) as locked:
        throttle.refuse_if_locked(checks, now=at(11))
    assert locked.value.code == "locked_out"
    assert locked.value.retry_after == 15 * 60 - 11
    throttle.refuse_if_locked(checks, now=at(15 * 60))


def test_it_keeps_counting_failures_past_the_limit(db):
    checks = [(THREE_PER_MINUTE, "k")]
    for s in range(5):
        throttle.count_failure(checks, now=at(s))
    assert ThrottleCounter.objects.get().count == 5


def test_it_prunes_ended_windows(db):
    throttle.take_all([(THREE_PER_MINUTE, "old")], now=at(0))
    throttle.take_all([(THREE_PER_MINUTE, "new")], now=at(100))
    prune_sign_in_state(at(120))
    assert list(ThrottleCounter.objects.values_list("key", flat=True)) == ["test.3pm:new"]


def test_it_words_the_wait_as_people_do():
    assert throttle.wait_text(40) == "40 秒"
    assert throttle.wait_text(14 * 60 + 1) == "15 分钟"
