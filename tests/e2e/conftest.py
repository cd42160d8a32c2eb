"""A real server on a free port (aiohttp's test server), real clients (aiohttp, websockets)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import websockets
from aiohttp.test_utils import TestClient, TestServer

from callers.accounts import AccountStore, Role
from hallq.settings import Settings
from hallq.web import create_app
from queue_core.ports import ManualClock

STAFF = ("window1", "staff-pass-1")
SUPERVISOR = ("boss", "super-pass-1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    accounts = AccountStore(tmp_path / "accounts.json")
    accounts.add(*STAFF, Role.STAFF)
    accounts.add(*SUPERVISOR, Role.SUPERVISOR)
    return Settings(
        store="sqlite",
        db_path=tmp_path / "hallq.sqlite3",
        accounts_path=tmp_path / "accounts.json",
        secret_path=tmp_path / "secret.key",
        issue_burst=10_000,  # one test client issues many tickets; the 429 test lowers it
    )


@pytest.fixture
async def server(settings: Settings, clock: ManualClock) -> AsyncIterator[TestServer]:
    async with TestServer(create_app(settings, clock), host="127.0.0.1", port=0) as srv:
        yield srv


@pytest.fixture
async def client(server: TestServer) -> AsyncIterator[TestClient]:
    async with TestClient(server) as c:
        yield c


async def login(client: TestClient, who: tuple[str, str]) -> str:
    response = await client.post("/api/login", json={"username": who[0], "password": who[1]})
    assert response.status == 200, await response.text()
    return str((await response.json())["token"])


@pytest.fixture
def ws_url(server: TestServer) -> str:
    return f"ws://127.0.0.1:{server.port}/ws"


Connect = Callable[..., Awaitable[Any]]


async def subscribe(ws: Any, channel: str, **extra: Any) -> dict[str, Any]:
    """Subscribe and return the first message (a snapshot, or an error)."""
    await ws.send(json.dumps({"op": "subscribe", "channel": channel, **extra}))
    return json.loads(await ws.recv())


async def next_of(ws: Any, kind: str, timeout: float = 5.0) -> dict[str, Any]:
    """The next message of `kind`, skipping others (boards, heartbeats)."""
    import asyncio

    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == kind or message.get("op") == kind:
                return message


def connect(url: str) -> Any:
    return websockets.connect(url, compression=None, open_timeout=5)
