"""The application service: commands in, events out, one writer per hall-day.

Each hall-day lives in this process's memory between commands (`_days`), so a command costs
one insert, not a reload. Correctness across processes rests on optimistic concurrency:
a save at a version another writer already took raises `RecordConflictError`, the stale
day is dropped, reloaded from the store and the command re-run (bounded retries with
jittered back-off). This is what makes "no ticket is called twice" hold for threads and
for processes sharing one store.

`execute_many` is group commit: commands that arrive together are applied in order and
saved in one transaction; each caller still gets its own outcome or its own domain error.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from queue_core.commands import Command
from queue_core.errors import DomainError, UnknownHall
from queue_core.hall_config import HallConfiguration
from queue_core.hall_day import HallDay
from queue_core.hall_spec import HallSpec
from queue_core.ids import hall_config_id, hall_day_id
from queue_core.outcome import Outcome
from queue_core.ports import Clock, LocalWriterLock, WriterLock


def _replay(day: HallDay | None, events: Iterable[Any]) -> HallDay | None:
    """Fold events into a day. The library's default folder first checks each event
    against a runtime protocol, which cost a third of a cold load; these are known events."""
    for event in events:
        day = event.mutate(day)
    return day


@lru_cache(maxsize=4096)
def _day_id(hall_id: str, day: str) -> UUID:
    return hall_day_id(hall_id, day)  # uuid5 hashes with SHA-1: worth caching per command


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class ConcurrencyExhausted(RuntimeError):
    """The store kept reporting conflicts after every retry: the hall-day is over-contended."""


class HallqApplication(Application[UUID]):
    name = "hallq"
    is_snapshotting_enabled = True
    SNAPSHOT_INTERVAL = 200  # events between snapshots of a hall-day: a cold load replays fewer
    MAX_ATTEMPTS = 50
    # After a conflict, catch up with the store before each of the next this-many loads:
    # shared-store mode switches itself on when another writer shows up, and a process
    # alone on its store never pays for the extra read.
    CATCH_UP_AFTER_CONFLICT = 10_000

    def __init__(
        self,
        clock: Clock,
        env: Mapping[str, str] | None = None,
        writer_lock: WriterLock | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self._days: dict[UUID, HallDay] = {}
        self._day_of_quarter: dict[str, tuple[float, str]] = {}  # see day_of
        self._specs: dict[str, HallSpec] = {}
        self._local_lock = LocalWriterLock()  # one writer per hall-day in this process
        self._listeners: list[Callable[[list[tuple[Any, int]]], None]] = []
        self._writer_lock = writer_lock  # and across processes, when they contend
        self._rng = random.Random()
        self._catch_up = 0

    def on_saved(self, listener: Callable[[list[tuple[Any, int]]], None]) -> None:
        """Call `listener(saved)` after every save, in the saving thread, with the saved
        events and their notification ids, in order: read models in this process fold them
        at once, without waiting for a poll or reading back what was just written."""
        self._listeners.append(listener)

    def _notify(self, recordings: list[Any]) -> None:
        saved = [(r.domain_event, r.notification.id) for r in recordings]
        if saved:
            saved.sort(key=lambda pair: pair[1])
            for listener in self._listeners:
                listener(saved)

    def close(self) -> None:
        if getattr(self, "_writer_lock", None) is not None:  # __del__ may run after a failed init
            self._writer_lock.close()  # type: ignore[union-attr]
        close_recorder = getattr(getattr(self, "recorder", None), "close", None)
        if close_recorder is not None:  # a recorder with a connection of its own
            close_recorder()
        super().close()

    # ---- halls -------------------------------------------------------------------------

    def configure_hall(self, document: Mapping[str, Any]) -> HallSpec:
        """Create the hall, or record a new configuration if the document changed."""
        for _ in range(self.MAX_ATTEMPTS):
            try:
                hall: HallConfiguration = self.repository.get(
                    hall_config_id(str(document.get("id")))
                )
            except AggregateNotFoundError:
                hall = HallConfiguration.configure(document)
            else:
                hall.reconfigure(document)
            try:
                self.save(hall)
            except RecordConflictError:
                continue  # another process configured it at the same moment: look again
            self._specs[hall.hall_id] = hall.spec
            return hall.spec
        raise ConcurrencyExhausted("could not record the hall's configuration")

    def hall_ids(self) -> list[str]:
        """The halls configured through this application (from their data files)."""
        return sorted(self._specs)

    def hall_spec(self, hall_id: str) -> HallSpec:
        spec = self._specs.get(hall_id)
        if spec is None:
            try:
                hall: HallConfiguration = self.repository.get(hall_config_id(hall_id))
            except AggregateNotFoundError:
                raise UnknownHall(f"没有此大厅：{hall_id}", f"unknown hall '{hall_id}'") from None
            spec = self._specs[hall_id] = hall.spec
        return spec

    def hall_document(self, hall_id: str) -> Mapping[str, Any]:
        """The hall's configuration document as recorded (with the tables the core does
        not read itself, e.g. `[scheduler]` and `[calendar]`)."""
        self.hall_spec(hall_id)  # an unknown hall is an UnknownHall error
        hall: HallConfiguration = self.repository.get(hall_config_id(hall_id))
        return hall.document

    def day_of(self, hall_id: str, at: datetime | None = None) -> str:
        """The hall's local date (ISO) at `at`, or now by the application's clock."""
        at = at or self.clock.now()
        zone_name = self.hall_spec(hall_id).timezone
        # Asked for every command and every answer: a time zone conversion each time was
        # a percent of a busy server's CPU. Every zone's offsets and clock changes since
        # 2011 fall on quarter hours (UTC), so within one the local date cannot change.
        # (Before: a few zones changed at 00:01, e.g. America/St_Johns until 2011; a
        # date then could be a minute late. tests/unit/test_day_of.py checks live zones.)
        quarter = at.timestamp() // 900
        known = self._day_of_quarter.get(zone_name)
        if known is not None and known[0] == quarter:
            return known[1]
        day = at.astimezone(_zone(zone_name)).date().isoformat()
        self._day_of_quarter[zone_name] = (quarter, day)
        return day

    def get_day(self, hall_id: str, day: str | None = None) -> HallDay:
        """A fresh copy of the hall's day from the store (for reading; never saved)."""
        day = day or self.day_of(hall_id)
        try:
            return self.repository.get(hall_day_id(hall_id, day), projector_func=_replay)
        except AggregateNotFoundError:
            self.hall_spec(hall_id)  # an unknown hall is an error, a quiet day is not
            return HallDay.start(hall_id, day)

    # ---- commands ----------------------------------------------------------------------

    def execute(self, command: Command) -> Outcome:
        """Carry out one command; return its outcome or raise its `DomainError`."""
        result = self.execute_many([command])[0]
        if isinstance(result, DomainError):
            raise result
        return result

    def execute_many(self, commands: Sequence[Command]) -> list[Outcome | DomainError]:
        """Apply commands in order and save them in one transaction (group commit)."""
        at = self.clock.now()
        targets = [self._target(c, at) for c in commands]
        day_ids = {t[1] for t in targets if not isinstance(t, DomainError)}
        with self._local_lock.hold(list(day_ids)):
            for attempt in range(self.MAX_ATTEMPTS):
                touched: dict[UUID, HallDay] = {}
                try:
                    with self._shared_turn(day_ids):
                        results = [
                            self._apply(c, t, at, touched)
                            for c, t in zip(commands, targets, strict=True)
                        ]
                        self._save_days(touched)
                    return results
                except RecordConflictError:
                    self._catch_up = self.CATCH_UP_AFTER_CONFLICT
                    self._forget(touched)
                    time.sleep(self._rng.uniform(0, 0.002 * (attempt + 1)))
                except BaseException:
                    self._forget(touched)  # a half-applied day must never be reused
                    raise
        raise ConcurrencyExhausted(f"gave up after {self.MAX_ATTEMPTS} conflicting attempts")

    def _target(self, command: Command, at: datetime) -> tuple[HallSpec, UUID, str] | DomainError:
        try:
            spec = self.hall_spec(command.hall)
        except DomainError as error:
            return error
        day = self.day_of(command.hall, at)
        return spec, _day_id(command.hall, day), day

    def _apply(
        self,
        command: Command,
        target: tuple[HallSpec, UUID, str] | DomainError,
        at: datetime,
        touched: dict[UUID, HallDay],
    ) -> Outcome | DomainError:
        if isinstance(target, DomainError):
            return target
        spec, day_id, day_str = target
        day = touched.get(day_id) or self._load_day(day_id, spec.id, day_str)
        touched[day_id] = day
        try:
            remembered = day.remembered(command.request_id, command.KIND)
            if remembered is not None:
                return remembered
            command.apply_to(day, spec, at)
        except DomainError as error:
            return error
        return day.requests[command.request_id]

    def _load_day(self, day_id: UUID, hall_id: str, day: str) -> HallDay:
        cached = self._days.get(day_id)
        if cached is not None:
            if self._catch_up:
                # Another writer shares the store: catch up with its events just before
                # deciding. One indexed read keeps the window for a conflict short, so a
                # slower process is not starved by a faster one that keeps winning.
                self._catch_up -= 1
                _replay(cached, self.events.get(day_id, gt=cached.version))
            return cached
        try:
            loaded: HallDay = self.repository.get(day_id, projector_func=_replay)
        except AggregateNotFoundError:
            loaded = HallDay.start(hall_id, day)
        self._days[day_id] = loaded
        return loaded

    def _save_days(self, days: dict[UUID, HallDay]) -> None:
        for day_id, day in list(days.items()):
            if day.version == 1 and day.pending_events:
                # Only the day's opening is pending: every command on it was refused, and a
                # refused command writes nothing, so the day starts with its first success.
                del days[day_id]
                self._days.pop(day_id, None)
        before = {day_id: day.version - len(day.pending_events) for day_id, day in days.items()}
        # The library's `save` would first check each object against runtime protocols,
        # a tenth of a command's CPU time; these are known aggregates, so put directly.
        events = [event for day in days.values() for event in day.collect_events()]
        if events:
            self._notify(self.events.put(events))
        for day_id, day in days.items():
            if day.version // self.SNAPSHOT_INTERVAL > before[day_id] // self.SNAPSHOT_INTERVAL:
                self._snapshot(day)

    def _snapshot(self, day: HallDay) -> None:
        # Another process may already have stored this version's snapshot: the same state.
        with suppress(RecordConflictError):
            self.snapshots.put([HallDay.Snapshot.take(day)])  # type: ignore[union-attr]

    def _forget(self, days: dict[UUID, HallDay]) -> None:
        for day_id in days:
            self._days.pop(day_id, None)

    def _shared_turn(self, day_ids: set[UUID]) -> AbstractContextManager[None]:
        """Take turns with other processes that may share the store. Every writer must,
        or a process that never loses a race would never take the lock and others would
        starve; the adapters make an uncontended turn cheap (a file lock, or one
        advisory-lock round trip per batch)."""
        if self._writer_lock is not None:
            return self._writer_lock.hold(list(day_ids))
        return nullcontext()
