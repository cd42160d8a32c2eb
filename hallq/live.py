"""The live hall inside one server process: commands in, read models and pushes out.

Commands go through the group committer's writer thread, so store I/O never runs on the
event loop. After every save the application's listener hands the saved events to the
follower task, which folds them into the read models on the loop (where they are read,
so they need no locks) and hands them to the publisher: nothing is read back from the
store that this process has just written. A slow poll, and any gap in the log, reads
the store's tail in a worker thread instead: what other processes write to a shared
store. With a `Fanout` (Redis across processes), this process announces its saves per
hall and reads the tail as soon as another process announces one of its halls' saves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import PersistenceError

from displays.publisher import Publisher
from displays.push import PushHub
from hallq.fanout import Fanout
from projections import HallBoard, Statistics, TicketStatus, WindowView
from projections.appointment_slots import SlotAvailability
from projections.base import ReadModel
from projections.follower import LogFollower
from projections.shadow import ShadowDays
from queue_core.application import HallqApplication
from queue_core.commands import Command
from queue_core.errors import UnknownHall
from queue_core.group_commit import GroupCommitter
from queue_core.hall_spec import HallSpec
from queue_core.outcome import Outcome
from scheduler.plan_inputs import PlanInputs

POLL_S = 0.5  # how soon another process's writes reach this process's clients
STORE_RETRY_S = 1.0  # after a failed read of the store (e.g. PostgreSQL restarting)

log = logging.getLogger("hallq.live")
SWEEP_S = 10  # seconds between re-sends of statuses that time alone changed (aging)


@dataclass
class ReadModels:
    board: HallBoard
    tickets: TicketStatus
    windows: WindowView
    stats: Statistics
    plan_inputs: PlanInputs
    slots: SlotAvailability

    @classmethod
    def for_app(cls, app: HallqApplication) -> ReadModels:
        days = ShadowDays()  # one copy of each day for the three (see projections.shadow)
        return cls(
            HallBoard(app.hall_spec, days),
            TicketStatus(app.hall_spec, days),
            WindowView(app.hall_spec, days),
            Statistics(app.hall_spec),
            PlanInputs(app.hall_spec),
            SlotAvailability(app.hall_spec),
        )

    def all(self) -> list[ReadModel]:
        return [self.board, self.tickets, self.windows, self.stats, self.plan_inputs, self.slots]


class LiveHall:
    def __init__(
        self, app: HallqApplication, poll_s: float = POLL_S, fanout: Fanout | None = None
    ) -> None:
        self.app = app
        self.models = ReadModels.for_app(app)
        # The halls configured here, from this process's hall files: other halls on a
        # shared store are other processes' business.
        self.halls = frozenset(app.hall_ids())
        self.follower = LogFollower(app, self.models.all(), self.halls)
        self.fanout = fanout
        # This process's saves not yet announced to the others (appended by the writer).
        self._unannounced: deque[list[tuple[Any, int]]] = deque()
        self.hub = PushHub()
        self.publisher = Publisher(
            self.hub,
            self.models.board,
            self.models.tickets,
            self.models.windows,
            self.models.stats,
            app.clock.now,
        )
        self.committer: GroupCommitter | None = None
        self.poll_s = poll_s
        self.last_saved = 0
        self._wake = asyncio.Event()
        self._polling = False  # set when the poll interval passed without a wake-up
        self._stopping = False
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []  # see caught_up()
        self._task: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Fold the log so far (off the loop), then follow it."""
        self._loop = asyncio.get_running_loop()
        folded = await asyncio.to_thread(self.follower.catch_up)
        self.publisher.track(folded)
        self.hub.start_at(self.follower.position)
        self.last_saved = self.follower.position
        self.app.on_saved(self._saved)
        self.committer = GroupCommitter(self.app)
        if self.fanout is not None:
            await self.fanout.start(self.halls, self._heard)
        self._task = asyncio.create_task(self._follow(), name="hallq-follower")
        self._task.add_done_callback(self._follower_ended)
        self._sweeper = asyncio.create_task(self._sweep(), name="hallq-sweeper")

    async def stop(self) -> None:
        """Finish every acknowledged command, then stop following. The follower is asked
        to stop, not cancelled: a cancelled task would leave its worker thread reading
        the store while the store is being closed."""
        if self.committer is not None:
            await asyncio.to_thread(self.committer.close)
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self.fanout is not None:
            await self.fanout.stop()

    def _saved(self, saved: list[tuple[Any, int]]) -> None:
        """In the saving thread, right after a save: hand the events to the follower.

        A command run through `execute` wakes the follower itself once its outcome is
        back on the loop, so the writer thread does not wake the loop a second time for
        the same save; a save made any other way wakes it from here."""
        self.last_saved = max(self.last_saved, saved[-1][1])
        self.follower.offer(saved)  # a deque: safe to extend from another thread
        if self.fanout is not None:
            self._unannounced.append(saved)
        if self._loop is not None and not (self.committer and self.committer.in_writer()):
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _follow(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            # A timer handle, not `wait_for`: that wraps the wait in a new task per batch.
            timer = loop.call_later(self.poll_s, self._poll_due)
            await self._wake.wait()
            timer.cancel()
            self._wake.clear()
            polling, self._polling = self._polling, False
            while not self._stopping:
                batch = self.follower.take_offered()
                if batch is None:
                    batch = await self._read(self.follower.read_gap)
                elif polling and not batch:
                    batch = await self._read(self.follower.read)
                    polling = False
                if not batch:
                    break
                with self.hub.gathered():  # a client's messages of one batch: one write
                    self.publisher.publish(self.follower.fold(batch))
                    if self.models.slots.touched:
                        self._publish_slots()
            if self._unannounced:
                self._announce()
            self._release(self.follower.position)
        self._release(None)  # stopping: nobody waits for a fold that will not come

    async def _read(self, read: Callable[[], list[tuple[Any, int]]]) -> list[tuple[Any, int]]:
        """Read the store off the loop. A store that cannot be reached (PostgreSQL
        restarting, a failover) is waited out: logged, tried again shortly; waiting
        commands are answered once it is back."""
        try:
            return await asyncio.to_thread(read)
        except PersistenceError as error:
            log.warning(
                "读取事件日志失败，%.0f 秒后重试 · reading the event log failed (%s); "
                "trying again in %.0f s",
                STORE_RETRY_S,
                error,
                STORE_RETRY_S,
            )
            await asyncio.sleep(STORE_RETRY_S)
            self._poll_due()
            return []

    def _follower_ended(self, task: asyncio.Task[None]) -> None:
        """A follower that died of a bug must not leave commands waiting forever."""
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("事件日志跟随任务异常退出 · the log follower failed", exc_info=error)
        waiting, self._waiters = self._waiters, []
        for _, waiter in waiting:
            if not waiter.done():
                waiter.set_exception(RuntimeError("the log follower failed; see the log"))

    def _publish_slots(self) -> None:
        """Booking pages keep each slot's free places live (`slots:{hall}`)."""
        for hall, day in sorted(self.models.slots.take_touched()):
            channel = f"slots:{hall}"
            if self.hub.has_subscribers(channel):
                message = self.models.slots.day_message(hall, day)
                self.hub.publish(channel, self.follower.position, "slots", message)

    def _announce(self) -> None:
        """Tell the other processes which halls' logs this process's saves extended
        (once folded here, so the publisher knows each event's hall)."""
        assert self.fanout is not None
        newest: dict[str, int] = {}
        while self._unannounced and self._unannounced[0][-1][1] <= self.follower.position:
            for event, position in self._unannounced.popleft():
                hall = self.publisher.hall_of(event)
                if hall is not None:
                    newest[hall] = position
        for hall, position in newest.items():
            self.fanout.announce(hall, position)

    def _heard(self, hall: str, position: int) -> None:
        """Another process saved `hall`'s events up to `position` (-1: unknown, after an
        outage of the bus): read the store's tail now rather than at the next poll."""
        if position < 0 or position > self.follower.position:
            self._poll_due()

    def _poll_due(self) -> None:
        """Time to look for other processes' writes (the poll interval passed, or the
        fan-out announced some)."""
        self._polling = True
        self._wake.set()

    def _release(self, position: int | None) -> None:
        waiting, self._waiters = self._waiters, []
        for target, waiter in waiting:
            if position is None or target <= position:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                self._waiters.append((target, waiter))

    async def _sweep(self) -> None:
        """Once a second the hub's heartbeat clock; every SWEEP_S the statuses that time
        alone changed."""
        beats = 0
        while not self._stopping:
            await asyncio.sleep(1.0)
            self.hub.beat(self.follower.position)
            beats += 1
            if beats % SWEEP_S == 0:
                self.publisher.sweep(self.follower.position)

    def spec(self, hall: str) -> HallSpec:
        """A hall this process serves, or `UnknownHall` (404): a hall on the shared store
        that only other processes serve has no read models here."""
        if hall not in self.halls:
            raise UnknownHall(f"本服务不含此大厅：{hall}", f"unknown hall '{hall}'")
        return self.app.hall_spec(hall)

    async def caught_up(self, position: int) -> None:
        """Return once the read models have folded everything up to `position`."""
        if self.follower.position >= position or self._loop is None:
            return
        waiter = self._loop.create_future()
        self._waiters.append((position, waiter))
        self._wake.set()
        await waiter

    async def execute(self, command: Command) -> Outcome:
        """Run a command; return once the read models reflect it (read your writes)."""
        assert self.committer is not None, "LiveHall.start() first"
        outcome = await self.committer.run(command)
        await self.caught_up(self.last_saved)
        return outcome
