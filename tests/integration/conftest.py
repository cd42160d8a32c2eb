"""Real services for adapter tests: a fresh PostgreSQL database per session, SQLite files.

Outside CI an unreachable server skips its tests with the reason; under CI=true it fails,
because CI promises that every adapter was exercised against the real thing.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hallq.bootstrap import build_application
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.ports import ManualClock
from tests.conftest import in_ci

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}


def unreachable(service: str, error: Exception) -> None:
    message = f"{service} is unreachable ({error}); start it as ../shared/DESIGN.md says"
    if in_ci():
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away database, dropped when the session ends."""
    import psycopg

    name = f"hallq_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(**PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        unreachable("PostgreSQL at 127.0.0.1:5432", error)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**PG, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings_for(
    store: str, folder: Path, pg_database: str | None = None, schema: str = ""
) -> Settings:
    """Settings built from the environment alone, as a deployment would set them."""
    env = {"HALLQ_STORE": store, "HALLQ_DB": str(folder / "hallq.sqlite3")}
    if pg_database:
        env |= {"HALLQ_PG_DB": pg_database, "HALLQ_PG_SCHEMA": schema}
    return Settings.from_env(env)


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The same tests on the SQLite file and on PostgreSQL (each test its own schema)."""
    if request.param == "sqlite":
        return settings_for("sqlite", tmp_path)
    database = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    import psycopg

    with psycopg.connect(**{**PG, "dbname": database}, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return settings_for("postgres", tmp_path, database, schema)


@pytest.fixture
def open_app(
    store_settings: Settings, clock: ManualClock
) -> Iterator[Callable[[], HallqApplication]]:
    """Builds applications on the test's store (each as a separate process would) and
    closes them all when the test ends."""
    opened: list[HallqApplication] = []

    def build() -> HallqApplication:
        opened.append(build_application(store_settings, clock))
        return opened[-1]

    yield build
    for app in opened:
        app.close()


# ---- Redis: the machine's server, and one of the test's own to stop and restart -------

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        unreachable("Redis at 127.0.0.1:6379", error)
    return REDIS_URL


class OwnRedis:
    """A `redis-server` of the test's own on a free port, so that an outage test can stop
    and restart it without disturbing anything else on the machine."""

    def __init__(self, folder: Path) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if not Path(REDIS_SERVER).exists():
        unreachable("redis-server (the program)", FileNotFoundError(REDIS_SERVER))
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()
