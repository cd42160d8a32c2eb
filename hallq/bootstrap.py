"""The composition root: the one place that wires settings, store and clock together.

Tests call the same function with in-memory parts (`Settings(store="memory")`, a
`ManualClock`), so what they exercise is what runs.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hallq.clock import SystemClock
from hallq.fanout import Fanout
from hallq.settings import Settings
from hallq.writer_locks import FileWriterLock, PostgresWriterLock
from queue_core.application import HallqApplication
from queue_core.ports import Clock, WriterLock

SETUP_LOCK_KEY = 0x6861_6C6C  # "hall": the advisory lock that serialises schema set-up


def load_hall_document(path: Path) -> dict[str, Any]:
    """A hall's configuration from its TOML data file (or JSON, for generated halls)."""
    with path.open("rb") as f:
        return json.load(f) if path.suffix == ".json" else tomllib.load(f)


def build_application(settings: Settings, clock: Clock | None = None) -> HallqApplication:
    """A ready application: store chosen by `settings`, halls configured from their files."""
    with exclusive_setup(settings):
        app = HallqApplication(
            clock=clock or SystemClock(),
            env=settings.eventsourcing_env(),
            writer_lock=writer_lock_for(settings),
        )
        for path in settings.hall_files:
            app.configure_hall(load_hall_document(path))
    return app


def fanout_for(settings: Settings) -> Fanout | None:
    """Redis between server processes when configured; else none (this process only,
    and the poll brings other processes' writes)."""
    if settings.redis_url is None:
        return None
    from hallq.redis_fanout import RedisFanout

    return RedisFanout(settings.redis_url, settings.store_key())


def writer_lock_for(settings: Settings) -> WriterLock | None:
    """The cross-process writer lock that suits the store (none for memory)."""
    if settings.store == "sqlite":
        return FileWriterLock(Path(f"{settings.db_path}.writers"))
    if settings.store == "postgres":
        return PostgresWriterLock(settings.pg_connect_kwargs())
    return None


@contextmanager
def exclusive_setup(settings: Settings) -> Iterator[None]:
    """One process at a time creates tables: PostgreSQL refuses concurrent catalogue
    changes ("tuple concurrently updated") when several servers start together."""
    if settings.store != "postgres":
        yield
        return
    import psycopg

    with psycopg.connect(**settings.pg_connect_kwargs(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK_KEY,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
