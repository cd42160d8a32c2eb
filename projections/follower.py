"""Following the application's notification log: from a checkpoint, in order, in batches.

SQLite gives no subscriptions, so the follower reads the tail; within one process the
application's save listener hands over what was just saved (`offer`), which is folded
without reading it back, and a slow poll catches the writes of other processes.
`read()` does the store I/O and decoding (run it off the event loop); `fold()` applies
what was read to every read model (run it where the models are read).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from projections.base import ReadModel
from queue_core.application import HallqApplication

BATCH = 500


class LogFollower:
    def __init__(self, app: HallqApplication, models: Sequence[ReadModel]) -> None:
        self.app = app
        self.models = list(models)
        self._offered: deque[tuple[Any, int]] = deque()

    def offer(self, saved: Sequence[tuple[Any, int]]) -> None:
        """Events this process has just saved (in order), to be folded as they are."""
        self._offered.extend(saved)

    def take_offered(self, limit: int = BATCH) -> list[tuple[Any, int]] | None:
        """The offered events that follow the checkpoint without a gap; [] if there are
        none; None if the next offered event is not the next in the log (another writer's
        events, or a configuration saved without an offer, lie between): read the store."""
        position = self.position
        offered = self._offered
        while offered and offered[0][1] <= position:
            offered.popleft()  # already folded from the store
        if offered and offered[0][1] != position + 1:
            return None
        batch: list[tuple[Any, int]] = []
        while offered and offered[0][1] == position + 1 and len(batch) < limit:
            batch.append(offered.popleft())
            position += 1
        return batch

    @property
    def position(self) -> int:
        return min((m.position for m in self.models), default=0)

    def read(self, after: int | None = None, limit: int = BATCH) -> list[tuple[Any, int]]:
        """Up to `limit` (event, notification id) pairs after `after` (default: checkpoint)."""
        start = (self.position if after is None else after) + 1
        notifications = self.app.recorder.select_notifications(start=start, limit=limit)
        return [(self.app.mapper.to_domain_event(n), n.id) for n in notifications]

    def fold(self, batch: Sequence[tuple[Any, int]]) -> None:
        for event, position in batch:
            for model in self.models:
                model.fold(event, position)

    def catch_up(self) -> list[tuple[Any, int]]:
        """Read and fold everything new (blocking: for tests, tools and start-up)."""
        folded: list[tuple[Any, int]] = []
        while batch := self.read():
            self.fold(batch)
            folded.extend(batch)
        return folded

    def rebuild(self) -> None:
        for model in self.models:
            model.reset()
        self.catch_up()
