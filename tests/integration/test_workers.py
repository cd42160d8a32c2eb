"""`hallq serve --workers 4` on PostgreSQL with Redis fan-out: twenty windows calling as
fast as they can through four processes never call a ticket twice, lose no acknowledged
call, and a hall screen connected to any one process shows every call once, in order."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import websockets

from hallq.settings import reference_hall_path
from tests.e2e.conftest import STAFF, SUPERVISOR, LiveServer, start_server, stop_server
from tests.integration.conftest import PG

HALL = "south-axis"
WINDOWS = range(1, 21)
TICKETS = 240


def window_services() -> dict[int, str]:
    import tomllib

    document = tomllib.loads(reference_hall_path().read_text())
    return {w["number"]: w["default_services"][0] for w in document["windows"]}


def test_four_workers_call_every_ticket_exactly_once(
    tmp_path: Path, postgres_database: str, redis_url: str
) -> None:
    schema = f"w_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**{**PG, "dbname": postgres_database}, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    server = start_server(
        tmp_path,
        args=["--workers", "4"],
        env={
            "HALLQ_STORE": "postgres",
            "HALLQ_PG_DB": postgres_database,
            "HALLQ_PG_SCHEMA": schema,
            "HALLQ_REDIS_URL": redis_url,
            "HALLQ_PLANNER": "off",
        },
    )
    try:
        asyncio.run(check_exclusive_calls(server))
    finally:
        stop_server(server)


async def check_exclusive_calls(server: LiveServer) -> None:
    # A new connection per request: the kernel spreads them over the four processes.
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(server.url, connector=connector) as http:
        staff = await login(http, STAFF)
        boss = await login(http, SUPERVISOR)
        services = window_services()
        issued = await asyncio.gather(
            *(issue(http, services[WINDOWS[k % len(WINDOWS)]], f"i{k}") for k in range(TICKETS))
        )
        for w in WINDOWS:
            await act(http, staff, w, "open", f"open-{w}")
        async with websockets.connect(
            server.url.replace("http", "ws") + "/ws", compression=None
        ) as screen:
            await screen.send(json.dumps({"op": "subscribe", "channel": f"display:{HALL}"}))
            await screen.recv()  # the snapshot
            calls = await asyncio.gather(*(call_until_empty(http, staff, w) for w in WINDOWS))
            acknowledged = list(itertools.chain.from_iterable(calls))
            shown = await collect_calls(screen, len(acknowledged))
        recorded = await called_in_store(http, boss)

    assert len(acknowledged) == len(set(acknowledged)), "a ticket was called twice"
    assert sorted(acknowledged) == sorted(issued)  # every ticket called, none lost
    assert sorted(recorded) == sorted(acknowledged)  # every acknowledged call was stored
    seqs = [seq for seq, _ in shown]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # in order, no duplicate
    assert sorted(number for _, number in shown) == sorted(acknowledged)


async def login(http: aiohttp.ClientSession, who: tuple[str, str]) -> str:
    async with http.post("/api/login", json={"username": who[0], "password": who[1]}) as r:
        assert r.status == 200, await r.text()
        return str((await r.json())["token"])


async def issue(http: aiohttp.ClientSession, service: str, request_id: str) -> str:
    body = {"service": service, "request_id": request_id}
    async with http.post(f"/api/halls/{HALL}/tickets", json=body) as r:
        assert r.status == 201, await r.text()
        return str((await r.json())["ticket"]["number"])


async def act(
    http: aiohttp.ClientSession, token: str, window: int, action: str, request_id: str
) -> tuple[int, dict[str, Any]]:
    async with http.post(
        f"/api/halls/{HALL}/windows/{window}/{action}",
        json={"request_id": request_id},
        headers={"Authorization": f"Bearer {token}"},
    ) as r:
        body = await r.json()
        assert r.status in (200, 409), body
        return r.status, body


async def call_until_empty(http: aiohttp.ClientSession, staff: str, window: int) -> list[str]:
    called: list[str] = []
    for k in itertools.count():
        status, body = await act(http, staff, window, "call-next", f"c-{window}-{k}")
        if status == 409:
            assert body["error"]["code"] == "nothing_to_call", body
            return called
        called.append(body["current"]["number"])
        for action in ("start", "finish"):
            status, body = await act(http, staff, window, action, f"{action}-{window}-{k}")
            assert status == 200, body
    raise AssertionError("unreachable")


async def collect_calls(screen: Any, expected: int) -> list[tuple[int, str]]:
    shown: list[tuple[int, str]] = []
    async with asyncio.timeout(20):
        while len(shown) < expected:
            message = json.loads(await screen.recv())
            if message["type"] == "called":
                shown.append((message["seq"], message["data"]["number"]))
    return shown


async def called_in_store(http: aiohttp.ClientSession, boss: str) -> list[str]:
    numbers: list[str] = []
    after = 0
    while True:
        async with http.get(
            f"/api/halls/{HALL}/events",
            params={"after": str(after)},
            headers={"Authorization": f"Bearer {boss}"},
        ) as r:
            page = await r.json()
        numbers += [e["data"]["number"] for e in page["events"] if e["type"] == "TicketCalled"]
        if page["next_after"] == after:
            return numbers
        after = page["next_after"]
