"""One contract for every WriterLock: the in-memory twin and the real adapters."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallq.writer_locks import FileWriterLock, PostgresWriterLock
from queue_core.ports import LocalWriterLock, WriterLock
from tests.integration.conftest import PG


class WriterLockContract:
    """Subclasses provide `holder()`: a lock as a separate process would hold it."""

    opened: list[WriterLock]

    def holder(self) -> WriterLock:
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _close_holders(self) -> Iterator[None]:
        self.opened = []
        yield
        for lock in self.opened:
            lock.close()

    def test_holders_of_one_key_take_turns(self) -> None:
        key, inside, overlaps = uuid.uuid4(), [0], []

        def work(lock: WriterLock) -> None:
            for _ in range(20):
                with lock.hold([key]):
                    inside[0] += 1
                    overlaps.append(inside[0])
                    time.sleep(0.0005)
                    inside[0] -= 1

        threads = [threading.Thread(target=work, args=(self.holder(),)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(overlaps) == 80 and max(overlaps) == 1

    def test_a_held_key_blocks_another_holder_until_released(self) -> None:
        key = uuid.uuid4()
        first, second = self.holder(), self.holder()
        got_it = threading.Event()

        def take() -> None:
            with second.hold([key]):
                got_it.set()

        with first.hold([key]):
            waiter = threading.Thread(target=take)
            waiter.start()
            assert not got_it.wait(0.2)
        assert got_it.wait(5)
        waiter.join()

    def test_keys_in_other_buckets_do_not_block_each_other(self) -> None:
        one = uuid.UUID(int=1)
        other = uuid.UUID(int=2)  # a different bucket from `one` in every adapter
        first, second = self.holder(), self.holder()
        got_it = threading.Event()

        def take() -> None:
            with second.hold([other]):
                got_it.set()

        with first.hold([one]):
            waiter = threading.Thread(target=take)
            waiter.start()
            assert got_it.wait(5)
        waiter.join()


class TestLocalWriterLock(WriterLockContract):
    shared = LocalWriterLock()

    def holder(self) -> WriterLock:
        return self.shared  # the twin serves the threads of one process


class TestFileWriterLock(WriterLockContract):
    @pytest.fixture(autouse=True)
    def _path(self, tmp_path: Path) -> None:
        self.path = tmp_path / "hallq.sqlite3.writers"  # a folder of lock files

    def holder(self) -> WriterLock:
        self.opened.append(FileWriterLock(self.path))
        return self.opened[-1]


@pytest.mark.postgres
class TestPostgresWriterLock(WriterLockContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_database: str) -> None:
        self.kwargs = {**PG, "dbname": postgres_database}

    def holder(self) -> WriterLock:
        self.opened.append(PostgresWriterLock(self.kwargs))
        return self.opened[-1]
