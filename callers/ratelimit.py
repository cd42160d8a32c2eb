"""Per-client rate limiting: one token bucket per key (a client address, a username).

Time is passed in (`now`, in seconds on any monotonic scale), so tests and the
simulator drive it without sleeping. Not thread-safe: meant for one event loop.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    seen: float


class TokenBucket:
    """Allow `burst` requests at once per key, refilled at `rate_per_s`.

    Keys unused for `idle_s` (at least ten minutes, and at least as long as a bucket takes
    to refill, so forgetting one changes no answer) are dropped, and never more than
    `max_keys` are kept: past that the least recently used goes, which can only hand that
    key a full bucket early. Memory stays bounded whatever the keys are."""

    def __init__(
        self, rate_per_s: float, burst: int, *, idle_s: float = 600.0, max_keys: int = 100_000
    ) -> None:
        if not rate_per_s > 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate_per_s must be positive, burst and max_keys at least 1")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.idle_s = max(idle_s, burst / rate_per_s)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently used first

    def allow(self, key: str, now: float) -> bool:
        """Whether `key` may make one more request at `now`; if so, that request is counted."""
        self._forget_idle(now)
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
        elapsed = max(0.0, now - bucket.seen)  # a clock stepping back refills nothing
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate_per_s)
        bucket.seen = now
        self._buckets[key] = bucket
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def __len__(self) -> int:
        """How many keys are remembered now."""
        return len(self._buckets)

    def _forget_idle(self, now: float) -> None:
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.seen <= self.idle_s:
                return
            self._buckets.popitem(last=False)
