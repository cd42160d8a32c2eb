"""Real adapters of `queue_core.ports.WriterLock`: turns between processes on one store.

The application only takes these once it has seen a write conflict, so a single-process
deployment never pays for them.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

BUCKETS = 1024  # keys hash into this many locks: distinct days rarely share one


class FileWriterLock:
    """For a SQLite file: byte-range locks on a file beside it, one byte per bucket.

    POSIX record locks belong to a process, so a thread lock per bucket makes the threads
    of one process take turns as well; the file descriptor stays open for the lock's life
    because closing any descriptor of the file would drop every lock the process holds.
    """

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self._threads = [threading.Lock() for _ in range(BUCKETS)]

    @contextmanager
    def hold(self, keys: Sequence[UUID]) -> Iterator[None]:
        buckets = sorted({key.int % BUCKETS for key in keys})
        for b in buckets:
            self._threads[b].acquire()
            fcntl.lockf(self._fd, fcntl.LOCK_EX, 1, b)
        try:
            yield
        finally:
            for b in reversed(buckets):
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, b)
                self._threads[b].release()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class PostgresWriterLock:
    """For PostgreSQL: session advisory locks on a connection of its own."""

    def __init__(self, connect_kwargs: dict[str, Any]) -> None:
        import psycopg

        self._conn = psycopg.connect(**connect_kwargs, autocommit=True)
        self._conn_guard = threading.Lock()  # one statement at a time on the connection
        self._threads = [threading.Lock() for _ in range(BUCKETS)]

    @staticmethod
    def _key(bucket: int) -> int:
        return 0x68616C6C_00000000 + bucket  # "hall" in the high half: clear of other users

    @contextmanager
    def hold(self, keys: Sequence[UUID]) -> Iterator[None]:
        buckets = sorted({key.int % BUCKETS for key in keys})
        for b in buckets:
            self._threads[b].acquire()
            with self._conn_guard:
                self._conn.execute("SELECT pg_advisory_lock(%s)", (self._key(b),))
        try:
            yield
        finally:
            for b in reversed(buckets):
                with self._conn_guard:
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._key(b),))
                self._threads[b].release()

    def close(self) -> None:
        self._conn.close()  # psycopg's close is idempotent
