"""Following the application's notification log: from a checkpoint, in order, in batches.

SQLite gives no subscriptions, so the follower reads the tail; within one process the
application's save listener hands over what was just saved (`offer`), which is folded
without reading it back, and a slow poll catches the writes of other processes.
`read()` does the store I/O and decoding (run it off the event loop); `fold()` applies
what was read to every read model (run it where the models are read).

A follower given `halls` folds only those halls' events: server processes that share one
store but serve different halls do not pay for each other's. An aggregate's first event
(`Created`) names its hall; the rest of a foreign aggregate's events are skipped by their
originator id, without decoding them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from projections.base import ReadModel
from queue_core.application import HallqApplication

BATCH = 500


class Skipped:
    """Stands in a read batch for a run of other halls' events: folding it only moves the
    checkpoint past them."""


SKIPPED = Skipped()


class LogFollower:
    def __init__(
        self,
        app: HallqApplication,
        models: Sequence[ReadModel],
        halls: Collection[str] | None = None,
    ) -> None:
        self.app = app
        self.models = list(models)
        self.halls = None if halls is None else frozenset(halls)  # None: every hall
        self._foreign: set[UUID | str] = set()  # aggregates of halls this follower skips
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

    def read_gap(self, limit: int = BATCH) -> list[tuple[Any, int]]:
        """What lies in the log between the checkpoint and the first offered event (other
        writers' events), so this process's own events are not read back and decoded.

        Ids in that range that the store does not hold will never appear: the store
        assigns ids in commit order (PostgreSQL under the events table's lock, SQLite in
        serialised writes), and the offered event after them is committed; a failed
        insert burns ids. So a read that comes back short ends with a skip up to the
        offered event."""
        if not self._offered:
            return self.read(limit=limit)
        stop = self._offered[0][1] - 1
        notifications = self._select(None, limit, stop)
        batch = self._decode(notifications)
        # Short by the store's count (not the batch's: other halls' runs are merged).
        if len(notifications) < limit and (not batch or batch[-1][1] < stop):
            batch.append((SKIPPED, stop))
        return batch

    def read(self, after: int | None = None, limit: int = BATCH) -> list[tuple[Any, int]]:
        """Up to `limit` (event, notification id) pairs after `after` (default: checkpoint);
        other halls' events, when this follower has `halls`, as `SKIPPED` runs."""
        return self._decode(self._select(after, limit, None))

    def _select(self, after: int | None, limit: int, stop: int | None) -> Sequence[Any]:
        start = (self.position if after is None else after) + 1
        return self.app.recorder.select_notifications(start=start, limit=limit, stop=stop)

    def _decode(self, notifications: Sequence[Any]) -> list[tuple[Any, int]]:
        to_event = self.app.mapper.to_domain_event
        if self.halls is None:
            return [(to_event(n), n.id) for n in notifications]
        batch: list[tuple[Any, int]] = []
        foreign = self._foreign
        for n in notifications:
            if n.originator_id not in foreign:
                event = to_event(n)
                hall = getattr(event, "hall_id", None)
                if hall is None or hall in self.halls:
                    batch.append((event, n.id))
                    continue
                foreign.add(n.originator_id)
            if batch and batch[-1][0] is SKIPPED:
                batch[-1] = (SKIPPED, n.id)
            else:
                batch.append((SKIPPED, n.id))
        return batch

    def fold(self, batch: Sequence[tuple[Any, int]]) -> list[tuple[Any, int]]:
        """Fold `batch`; return its events without the skipped runs (what was folded)."""
        folded: list[tuple[Any, int]] = []
        for event, position in batch:
            if event is SKIPPED:
                for model in self.models:
                    model.position = max(model.position, position)
                continue
            for model in self.models:
                model.fold(event, position)
            folded.append((event, position))
        return folded

    def catch_up(self) -> list[tuple[Any, int]]:
        """Read and fold everything new (blocking: for tests, tools and start-up)."""
        folded: list[tuple[Any, int]] = []
        while batch := self.read():
            folded.extend(self.fold(batch))
        return folded

    def rebuild(self) -> None:
        for model in self.models:
            model.reset()
        self.catch_up()
