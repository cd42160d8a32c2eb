"""The SQLite recorder that inserts through its own connection keeps the library's contract."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import (
    ConnectionPoolClosedError,
    IntegrityError,
    OperationalError,
    RecordConflictError,
    StoredEvent,
)
from eventsourcing.sqlite import SQLiteDatastore

from hallq.settings import Settings
from hallq.sqlite_recorder import WriterConnectionRecorder, library_error
from queue_core.application import HallqApplication
from queue_core.ports import ManualClock


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[WriterConnectionRecorder]:
    datastore = SQLiteDatastore(str(tmp_path / "events.sqlite3"), lock_timeout=5)
    recorder = WriterConnectionRecorder(datastore)
    recorder.create_table()
    yield recorder
    recorder.close()
    datastore.close()


def event(originator: UUID, version: int, state: bytes = b"{}") -> StoredEvent:
    return StoredEvent(originator, version, "hallq.Test", state)


def test_inserts_get_consecutive_notification_ids_and_are_read_back_by_the_pool(
    recorder: WriterConnectionRecorder,
) -> None:
    a, b = uuid4(), uuid4()
    first = recorder.insert_events([event(a, 1), event(b, 1)])
    second = recorder.insert_events([event(a, 2, b'{"x": 1}')])
    assert first == [1, 2] and second == [3]
    notes = recorder.select_notifications(start=1, limit=10)
    assert [(n.id, n.originator_id, n.originator_version) for n in notes] == [
        (1, a, 1),
        (2, b, 1),
        (3, a, 2),
    ]
    assert recorder.select_events(a)[-1].state == b'{"x": 1}'
    assert recorder.max_notification_id() == 3


def test_a_taken_version_is_a_conflict_and_its_whole_batch_is_left_out(
    recorder: WriterConnectionRecorder,
) -> None:
    a, b = uuid4(), uuid4()
    recorder.insert_events([event(a, 1)])
    with pytest.raises(RecordConflictError) as raised:
        recorder.insert_events([event(b, 1), event(a, 1)])  # b's would be fine alone
    assert isinstance(raised.value, IntegrityError)
    assert recorder.select_events(b) == []  # rolled back with the conflicting one
    assert recorder.insert_events([event(b, 1)]) == [2]  # the connection still works


def test_two_recorders_on_one_file_conflict_as_two_processes_would(
    recorder: WriterConnectionRecorder, tmp_path: Path
) -> None:
    other = WriterConnectionRecorder(
        SQLiteDatastore(str(tmp_path / "events.sqlite3"), lock_timeout=5)
    )
    a = uuid4()
    other.insert_events([event(a, 1)])
    with pytest.raises(RecordConflictError):
        recorder.insert_events([event(a, 1)])
    assert [e.originator_version for e in recorder.select_events(a)] == [1]
    other.close()


def test_threads_writing_at_once_get_distinct_ids_and_lose_nothing(
    recorder: WriterConnectionRecorder,
) -> None:
    ids: list[int] = []
    lock = threading.Lock()

    def write() -> None:
        originator = uuid4()
        for version in range(1, 21):
            got = recorder.insert_events([event(originator, version)])
            with lock:
                ids.extend(got or [])

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids) == list(range(1, 81))


def test_sqlite_errors_become_the_librarys() -> None:
    assert isinstance(library_error(sqlite3.IntegrityError("x")), IntegrityError)
    assert isinstance(library_error(sqlite3.OperationalError("locked")), OperationalError)


def test_the_embedded_store_uses_it_and_closing_the_application_closes_it(
    tmp_path: Path,
) -> None:
    settings = Settings(store="sqlite", db_path=tmp_path / "hallq.sqlite3")
    app = HallqApplication(
        ManualClock(datetime(2026, 3, 2, tzinfo=UTC)), env=settings.eventsourcing_env()
    )
    recorder = app.recorder
    assert isinstance(recorder, WriterConnectionRecorder)
    recorder.insert_events([event(uuid4(), 1)])
    assert recorder._writer is not None
    app.close()
    assert recorder._writer is None
    with pytest.raises(ConnectionPoolClosedError):  # as the library's pool would say
        recorder.insert_events([event(uuid4(), 1)])


def test_a_connection_that_cannot_roll_back_is_replaced(
    recorder: WriterConnectionRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = uuid4()
    recorder.insert_events([event(a, 1)])
    broken = recorder._writer
    assert broken is not None

    class Unusable:  # fails the insert, then fails to roll back (a disk error, say)
        in_transaction = True

        def execute(self, *_: object) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        def rollback(self) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        def close(self) -> None:
            broken.close()

    recorder._writer = Unusable()  # type: ignore[assignment]
    with pytest.raises(OperationalError):
        recorder.insert_events([event(a, 2)])
    assert recorder._writer is None
    assert recorder.insert_events([event(a, 2)]) == [2]  # a new connection took over
