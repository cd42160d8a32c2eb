"""The real clock adapter (the in-memory twin is `queue_core.ports.ManualClock`)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
