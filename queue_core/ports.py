"""Ports the core needs from outside: a clock and a writer lock. Real adapters live in the
composition root (`hallq.clock`, `hallq.writer_locks`); the in-memory twins live here."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID


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


class WriterLock(Protocol):
    """Makes writers of one hall-day take turns across processes sharing a store.

    Optimistic concurrency alone keeps every write correct, but a process that keeps
    losing the race can be starved; once a conflict shows that the store is shared, the
    application holds this lock around load-decide-save so writers queue instead.
    """

    def hold(self, keys: Sequence[UUID]) -> AbstractContextManager[None]:
        """Hold the locks of these keys (in sorted order) for the `with` block."""
        ...

    def close(self) -> None:
        """Release what the lock holds open (files, connections)."""
        ...


class LocalWriterLock:
    """The in-memory twin: turns between threads of this process only."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[UUID, threading.Lock] = {}

    @contextmanager
    def hold(self, keys: Sequence[UUID]) -> Iterator[None]:
        with self._guard:
            locks = [self._locks.setdefault(k, threading.Lock()) for k in sorted(set(keys))]
        for lock in locks:
            lock.acquire()
        try:
            yield
        finally:
            for lock in reversed(locks):
                lock.release()

    def close(self) -> None:
        pass
