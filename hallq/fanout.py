"""Telling the other server processes on one store that a hall's log has grown.

Every server process folds the same event log into its own read models and pushes to its
own clients from them, so a push needs to carry no payload between processes: what
travels is "hall H's log now reaches notification N". A process that hears it reads the
store's tail at once instead of at its next poll. Messages are numbered by the log
itself, so every process sends a client the same sequence numbers and a client may
resume on any process. Lose the bus and nothing is lost: processes fall back to the
poll (`hallq.live.POLL_S`), and a reconnecting client catches up from the store.

`Fanout` is the port; `LocalFanout` is its in-memory twin (processes simulated as
several live halls in one interpreter); `hallq.redis_fanout.RedisFanout` is the real one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

Heard = Callable[[str, int], None]  # (hall, notification id), called on the event loop


class Fanout(Protocol):
    connected: asyncio.Event  # set while announcements can travel (tests wait on it)

    async def start(self, halls: Iterable[str], heard: Heard) -> None:
        """Listen for other processes' saves to `halls`; `heard` is called on the loop,
        with -1 for each hall whenever listening (re)starts: what was announced before
        cannot be told, so the store must be read."""

    def announce(self, hall: str, position: int) -> None:
        """This process saved `hall`'s events up to `position`. Never blocks or raises."""

    async def stop(self) -> None: ...


class LocalBus:
    """What several `LocalFanout`s share: the stand-in for one Redis server."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[tuple[str, Heard]]] = defaultdict(list)


class LocalFanout:
    def __init__(self, bus: LocalBus) -> None:
        self.bus = bus
        self.origin = uuid.uuid4().hex  # a process does not hear its own announcements
        self._halls: list[str] = []
        self.connected = asyncio.Event()

    async def start(self, halls: Iterable[str], heard: Heard) -> None:
        self._halls = list(halls)
        for hall in self._halls:
            self.bus.listeners[hall].append((self.origin, heard))
            heard(hall, -1)
        self.connected.set()

    def announce(self, hall: str, position: int) -> None:
        for origin, heard in self.bus.listeners.get(hall, ()):
            if origin != self.origin:
                heard(hall, position)

    async def stop(self) -> None:
        for hall in self._halls:
            self.bus.listeners[hall] = [
                (o, h) for o, h in self.bus.listeners[hall] if o != self.origin
            ]
