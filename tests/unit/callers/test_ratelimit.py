"""The token bucket: a burst, then refusals, then a refill as (passed-in) time goes by."""

from __future__ import annotations

import pytest

from callers.ratelimit import TokenBucket


def test_a_burst_is_allowed_then_refused_then_refilled_at_the_rate() -> None:
    bucket = TokenBucket(rate_per_s=0.5, burst=3)
    assert [bucket.allow("kiosk", 100.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.allow("kiosk", 101.0)  # half a token
    assert bucket.allow("kiosk", 102.0)  # one whole token after two seconds
    assert not bucket.allow("kiosk", 102.0)
    assert [bucket.allow("kiosk", 1000.0) for _ in range(4)] == [True, True, True, False]


def test_refused_requests_do_not_use_up_the_refill() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1)
    assert bucket.allow("a", 0.0)
    assert not bucket.allow("a", 0.5)
    assert bucket.allow("a", 1.0)


def test_each_key_has_its_own_bucket() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1)
    assert bucket.allow("10.0.0.1", 0.0)
    assert not bucket.allow("10.0.0.1", 0.0)
    assert bucket.allow("10.0.0.2", 0.0)


def test_a_clock_stepping_back_refills_nothing() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1)
    assert bucket.allow("a", 50.0)
    assert not bucket.allow("a", 10.0)
    assert not bucket.allow("a", 10.5)


def test_keys_idle_for_ten_minutes_are_forgotten() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=2)
    for n in range(1000):
        bucket.allow(f"client-{n}", n * 0.1)
    assert len(bucket) == 1000
    bucket.allow("late", 99.9 + 600.5)
    assert len(bucket) < 10


def test_no_more_than_max_keys_are_kept_whatever_the_keys() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=2, max_keys=100)
    for n in range(10_000):
        assert bucket.allow(f"client-{n}", 0.0)
    assert len(bucket) == 100


def test_forgetting_a_key_never_changes_an_answer_for_a_slow_bucket() -> None:
    bucket = TokenBucket(rate_per_s=1 / 3600, burst=1)  # one an hour
    assert bucket.allow("a", 0.0)
    assert not bucket.allow("a", 1800.0)  # 30 min later: still refused, not forgotten
    assert bucket.allow("a", 3600.0)


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate_per_s=0, burst=1)
    with pytest.raises(ValueError):
        TokenBucket(rate_per_s=1, burst=0)
