"""The library's SQLite recorder, inserting through one connection kept for writing.

Every insert through the library's recorder passes its connection pool (a reader-writer
interlock of conditions), two context managers and a cursor wrapper per statement: on a
busy hall, with commands a few milliseconds apart, that machinery cost as much CPU as
SQLite's own work for the insert. Here the writer keeps one connection of its own and
runs BEGIN, the INSERTs and COMMIT on it directly. Everything else (reads, table
creation, the notification log) is still the library's, through its pool; reads run on
the pool's other connections, which WAL mode lets read while this one writes.

The contract is the library's: a version another writer already took raises its
`IntegrityError` (a `RecordConflictError`), other SQLite errors raise its matching
`PersistenceError`, and a failed insert leaves nothing behind. An in-memory database
keeps the library's own path: its connections share one database and must take turns.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing import persistence
from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteApplicationRecorder

# sqlite3's exceptions -> the library's, most specific first (they are subclasses).
_ERRORS: tuple[tuple[type[sqlite3.Error], type[persistence.PersistenceError]], ...] = (
    (sqlite3.IntegrityError, persistence.IntegrityError),
    (sqlite3.OperationalError, persistence.OperationalError),
    (sqlite3.DataError, persistence.DataError),
    (sqlite3.InternalError, persistence.InternalError),
    (sqlite3.ProgrammingError, persistence.ProgrammingError),
    (sqlite3.NotSupportedError, persistence.NotSupportedError),
    (sqlite3.InterfaceError, persistence.InterfaceError),
    (sqlite3.DatabaseError, persistence.DatabaseError),
)


def library_error(error: sqlite3.Error) -> persistence.PersistenceError:
    """The library's exception for a sqlite3 one (what its own recorder would raise)."""
    for sqlite_type, library_type in _ERRORS:
        if isinstance(error, sqlite_type):
            return library_type(error)
    return persistence.PersistenceError(error)


def _id_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id  # as stored


class WriterConnectionRecorder(SQLiteApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer: sqlite3.Connection | None = None
        self._closed = False
        # One writer thread uses it in a server; a test or a tool may write from others.
        self._writer_lock = threading.Lock()

    def insert_events(
        self, stored_events: Sequence[persistence.StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The library's `save` passes `tracking=None`; a tracking record is its own path.
        if kwargs.get("tracking") is not None or self.datastore.pool.is_sqlite_memory_mode:
            return super().insert_events(stored_events, **kwargs)
        statement = self.insert_events_statement
        with self._writer_lock:
            conn = self._writer or self._connect()
            try:
                conn.execute("BEGIN")
                ids = [
                    conn.execute(
                        statement,
                        (_id_text(s.originator_id), s.originator_version, s.topic, s.state),
                    ).lastrowid
                    for s in stored_events
                ]
                conn.execute("COMMIT")
            except BaseException as error:
                self._roll_back(conn)
                if isinstance(error, sqlite3.Error):
                    raise library_error(error) from error
                raise
        return ids  # type: ignore[return-value]  # lastrowid is set after an INSERT

    def _roll_back(self, conn: sqlite3.Connection) -> None:
        """Leave nothing of a failed insert; a connection that cannot even roll back (a
        disk error, say) is dropped, and the next insert opens a new one."""
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error:
            conn.close()
            self._writer = None

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise persistence.ConnectionPoolClosedError("the recorder is closed")
        pool = self.datastore.pool
        try:
            self._writer = sqlite3.connect(
                database=pool.db_name,
                uri=True,
                check_same_thread=False,  # guarded by `_writer_lock`
                isolation_level=None,  # transactions are begun and committed explicitly
                timeout=pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except sqlite3.Error as error:
            raise library_error(error) from error
        return self._writer

    def close(self) -> None:
        """Close the writing connection (the pool's are closed with the datastore)."""
        with self._writer_lock:
            self._closed = True
            if self._writer is not None:
                self._writer.close()
                self._writer = None
