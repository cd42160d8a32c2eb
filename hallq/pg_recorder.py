"""The library's PostgreSQL recorder, with the COMMIT sent in the same pipeline as the
insert: the table lock is held for the server's own work, not for a round trip.

To keep the log in commit order, `eventsourcing` takes an EXCLUSIVE lock on the events
table in every inserting transaction. Its recorder sends lock, NOTIFY and INSERT in one
pipeline, waits for their results, then sends COMMIT: the lock stays held across that
round trip, and across however long the writer thread then waits for the GIL while the
event loop thread holds it (up to `sys.getswitchinterval()`, 5 ms). Server processes
writing to one store queue behind that lock. Here BEGIN, lock, NOTIFY, INSERT and COMMIT
leave in one pipeline: PostgreSQL runs them back to back, and the lock is released when
the commit is flushed, whatever this process's threads are doing.

A failed INSERT (a version conflict: another writer got there first) aborts the rest of
the pipeline; the error surfaces at the sync, the transaction is rolled back, and the
library's own error translation turns it into its `IntegrityError` as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus


class PipelinedCommitRecorder(PostgresApplicationRecorder):
    """Replaces the library's `insert_events` whole: hallq enables neither its database
    functions (`POSTGRES_ENABLE_DB_FUNCTIONS`) nor an `_insert_events` hook, which that
    method also served; `__init__` refuses the first, so it is never silently ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.datastore.enable_db_functions:
            raise ValueError("PipelinedCommitRecorder does not use database functions")

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return None
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline() as pipeline, conn.cursor() as curs:
                    conn.execute("BEGIN")
                    self._insert_stored_events(curs, stored_events, **kwargs)
                    conn.execute("COMMIT")
                    pipeline.sync()
                    return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            except BaseException:
                # Whatever went wrong, the pooled connection goes back outside a transaction.
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.rollback()
                raise
