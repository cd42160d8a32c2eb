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

BUCKETS = 1024  # advisory-lock buckets: distinct hall-days rarely share one


class FileWriterLock:
    """For a SQLite file: `flock` on one small file per bucket, in a folder beside it.

    `flock` belongs to the open file, so two holders exclude each other whether they are
    processes or threads with their own holder; a thread lock per bucket makes threads
    sharing one holder take turns as well. Files are opened on first use and kept open.
    """

    buckets = 64

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._folder = folder
        self._fds: dict[int, int] = {}
        self._threads = [threading.Lock() for _ in range(self.buckets)]
        self._opening = threading.Lock()

    def _fd(self, bucket: int) -> int:
        with self._opening:
            if bucket not in self._fds:
                path = self._folder / f"{bucket:02d}.lock"
                self._fds[bucket] = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            return self._fds[bucket]

    @contextmanager
    def hold(self, keys: Sequence[UUID]) -> Iterator[None]:
        buckets = sorted({key.int % self.buckets for key in keys})
        for b in buckets:
            self._threads[b].acquire()
            fcntl.flock(self._fd(b), fcntl.LOCK_EX)
        try:
            yield
        finally:
            for b in reversed(buckets):
                fcntl.flock(self._fds[b], fcntl.LOCK_UN)
                self._threads[b].release()

    def close(self) -> None:
        with self._opening:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()


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
