"""Configuration, read once from `HALLQ_*` environment variables into a frozen value.

Defaults are the embedded ones: a SQLite file, the in-process bus, no MQTT.
`HALLQ_REDIS_URL` (e.g. `redis://127.0.0.1:6379/0`) carries pushes between server
processes; `HALLQ_MQTT_URL` (e.g. `mqtt://127.0.0.1:1883`) starts the device bridge. Switching the
event store to PostgreSQL changes only the environment (`HALLQ_STORE=postgres`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

STORES = ("sqlite", "memory", "postgres")


def reference_hall_path() -> Path:
    """The packaged data file of the reference hall `south-axis`."""
    return Path(str(resources.files("hallq") / "data" / "south-axis.toml"))


@dataclass(frozen=True)
class Settings:
    store: str = "sqlite"
    db_path: Path = Path("hallq.sqlite3")
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_dbname: str = "postgres"
    pg_user: str = "postgres"
    pg_password: str = ""
    pg_schema: str = ""
    pg_pool_size: int = 5
    pg_lock_timeout_s: int = 5
    hall_files: tuple[Path, ...] = field(default_factory=lambda: (reference_hall_path(),))
    accounts_path: Path = Path("var/accounts.json")
    secret_path: Path = Path("var/secret.key")
    allowed_origins: tuple[str, ...] = ()
    issue_rate_per_s: float = 1.0  # tickets per second per client address, after the burst
    issue_burst: int = 20
    history_path: Path | None = None  # arrivals of past days (CSV) for the forecasts
    planner: bool = True  # the scheduler's live loop (off: no plans, e.g. for push benchmarks)
    redis_url: str | None = None  # pushes between server processes; None: this process only
    mqtt_url: str | None = None  # the broker of the hall's devices; None: no device bridge
    devices_path: Path = Path("var/devices.json")  # device credentials (hallq device add)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        store = env.get("HALLQ_STORE", "sqlite")
        if store not in STORES:
            raise ValueError(f"HALLQ_STORE must be one of {STORES}, not {store!r}")
        halls = env.get("HALLQ_HALLS")
        return cls(
            store=store,
            db_path=Path(env.get("HALLQ_DB", "hallq.sqlite3")),
            pg_host=env.get("HALLQ_PG_HOST", "127.0.0.1"),
            pg_port=int(env.get("HALLQ_PG_PORT", "5432")),
            pg_dbname=env.get("HALLQ_PG_DB", "postgres"),
            pg_user=env.get("HALLQ_PG_USER", "postgres"),
            pg_password=env.get("HALLQ_PG_PASSWORD", ""),
            pg_schema=env.get("HALLQ_PG_SCHEMA", ""),
            pg_pool_size=int(env.get("HALLQ_PG_POOL_SIZE", "5")),
            pg_lock_timeout_s=int(env.get("HALLQ_PG_LOCK_TIMEOUT", "5")),
            hall_files=tuple(Path(p) for p in halls.split(os.pathsep))
            if halls
            else (reference_hall_path(),),
            accounts_path=Path(env.get("HALLQ_ACCOUNTS", "var/accounts.json")),
            secret_path=Path(env.get("HALLQ_SECRET_FILE", "var/secret.key")),
            allowed_origins=tuple(
                o.strip() for o in env.get("HALLQ_ORIGINS", "").split(",") if o.strip()
            ),
            issue_rate_per_s=float(env.get("HALLQ_ISSUE_RATE", "1.0")),
            issue_burst=int(env.get("HALLQ_ISSUE_BURST", "20")),
            history_path=Path(env["HALLQ_HISTORY"]) if env.get("HALLQ_HISTORY") else None,
            planner=env.get("HALLQ_PLANNER", "on").lower() not in ("off", "0", "false", "no"),
            redis_url=env.get("HALLQ_REDIS_URL") or None,
            mqtt_url=env.get("HALLQ_MQTT_URL") or None,
            devices_path=Path(env.get("HALLQ_DEVICES", "var/devices.json")),
        )

    def store_key(self) -> str:
        """Names the event store, so that processes on one store (and only they) share a
        fan-out channel on a Redis that other deployments or test runs may share too."""
        if self.store == "postgres":
            return f"pg/{self.pg_host}:{self.pg_port}/{self.pg_dbname}/{self.pg_schema or 'public'}"
        if self.store == "sqlite":
            return f"sqlite/{self.db_path.resolve()}"
        return f"memory/{os.getpid()}"

    def pg_connect_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.pg_host,
            "port": self.pg_port,
            "dbname": self.pg_dbname,
            "user": self.pg_user,
            "password": self.pg_password or None,
            "connect_timeout": 5,
        }

    def eventsourcing_env(self) -> dict[str, str]:
        """The `eventsourcing` library's own settings for the chosen store."""
        env = {"TRANSCODER_TOPIC": "hallq.storage:HallqTranscoder"}
        if self.store == "memory":
            env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
        elif self.store == "sqlite":
            env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
            env["SQLITE_DBNAME"] = str(self.db_path)
            env["SQLITE_LOCK_TIMEOUT"] = "30"  # several processes may share one file
            env["APPLICATION_RECORDER_TOPIC"] = "hallq.sqlite_recorder:WriterConnectionRecorder"
        else:
            env.update(
                PERSISTENCE_MODULE="eventsourcing.postgres",
                APPLICATION_RECORDER_TOPIC="hallq.pg_recorder:PipelinedCommitRecorder",
                POSTGRES_HOST=self.pg_host,
                POSTGRES_PORT=str(self.pg_port),
                POSTGRES_DBNAME=self.pg_dbname,
                POSTGRES_USER=self.pg_user,
                POSTGRES_PASSWORD=self.pg_password,
                POSTGRES_POOL_SIZE=str(self.pg_pool_size),
                POSTGRES_LOCK_TIMEOUT=str(self.pg_lock_timeout_s),
            )
            if self.pg_schema:
                env["POSTGRES_SCHEMA"] = self.pg_schema
        return env
