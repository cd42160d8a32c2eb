"""Ports the core needs from outside: only a clock. Adapters live in the composition root."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time; the core reads no wall clock of its own."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class ManualClock:
    """The in-memory twin: time moves only when told to (tests, simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
