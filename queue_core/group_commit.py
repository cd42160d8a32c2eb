"""Group commit: one writer thread that saves the commands arriving together in one transaction.

Callers submit a command and wait for its own outcome or domain error: threads through
`submit` (a `concurrent.futures.Future`), coroutines through `await run(command)`. The
writer takes everything queued, up to `max_batch`, runs it through
`HallqApplication.execute_many` in arrival order, and settles every waiter. A
transaction's fixed cost (an fsync, a round trip) is paid once per batch instead of once
per command, and an event loop is woken once per batch, not once per command.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import defaultdict
from concurrent.futures import Future
from typing import Any

from queue_core.application import HallqApplication
from queue_core.commands import Command
from queue_core.errors import DomainError
from queue_core.outcome import Outcome

_STOP = object()
Waiter = Future[Outcome] | asyncio.Future[Outcome]


class GroupCommitter:
    def __init__(self, app: HallqApplication, max_batch: int = 256) -> None:
        self.app = app
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self.batches = 0  # transactions written: for benchmarks and tests
        self._thread = threading.Thread(target=self._run, name="hallq-writer", daemon=True)
        self._thread.start()

    def submit(self, command: Command) -> Future[Outcome]:
        """Queue a command; the future gets its `Outcome` or raises its `DomainError`."""
        future: Future[Outcome] = Future()
        self._put(command, future)
        return future

    async def run(self, command: Command) -> Outcome:
        """Carry out a command from a coroutine without blocking its event loop."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._put(command, future)
        return await future

    def execute(self, command: Command) -> Outcome:
        return self.submit(command).result()

    def in_writer(self) -> bool:
        """Whether the calling thread is this committer's writer."""
        return threading.current_thread() is self._thread

    def close(self) -> None:
        """Finish every command already submitted, then stop the writer."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def _put(self, command: Command, waiter: Waiter) -> None:
        if self._closed:
            raise RuntimeError("the group committer is closed")
        self._queue.put((command, waiter))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[tuple[Command, Waiter]] = []
            item = self._queue.get()
            while item is not _STOP:
                batch.append(item)
                if len(batch) >= self.max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            stopping = item is _STOP
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[tuple[Command, Waiter]]) -> None:
        try:
            results: list[Outcome | DomainError] | BaseException = self.app.execute_many(
                [c for c, _ in batch]
            )
            self.batches += 1
        except BaseException as error:  # the store failed: every waiter must hear of it
            results = error
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Outcome], Any]]] = (
            defaultdict(list)
        )
        for i, (_, waiter) in enumerate(batch):
            result = results if isinstance(results, BaseException) else results[i]
            if isinstance(waiter, asyncio.Future):
                by_loop[waiter.get_loop()].append((waiter, result))
            else:
                _settle(waiter, result)
        for loop, pairs in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, pairs)


def _settle(waiter: Waiter, result: Any) -> None:
    if waiter.done():  # a coroutine that stopped waiting (cancelled); its command still ran
        return
    if isinstance(result, BaseException):
        waiter.set_exception(result)
    else:
        waiter.set_result(result)


def _settle_all(pairs: list[tuple[asyncio.Future[Outcome], Any]]) -> None:
    for waiter, result in pairs:
        _settle(waiter, result)
