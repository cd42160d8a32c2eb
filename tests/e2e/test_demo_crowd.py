"""`hallq demo`'s crowd: simulated residents and staff move the live hall through the
server's own path, a person's kiosk ticket gets called too, the server stops quickly with
the crowd running and keeps every command it acknowledged, and `--speed 0` is still."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bench.procs import die_with_parent
from hallq.bootstrap import build_application
from hallq.demo_crowd import CROWD, crowd_context, first_day, load_crowd_scenario
from hallq.serve import free_port
from hallq.settings import Settings
from hallq.web import create_app
from queue_core.ids import hall_day_id
from tests.e2e.conftest import STAFF, SUPERVISOR, login

HALL = "south-axis"
SPEED = 300.0  # five simulated hours a minute: a busy hall within a second or two
MOVES = {"TicketIssued", "TicketCalled", "ServiceStarted", "ServiceFinished"}


async def events_of(client: TestClient, token: str, after: int) -> tuple[list[str], int]:
    """Event types recorded after `after`, every page of them, and the last position."""
    kinds: list[str] = []
    while True:
        response = await client.get(
            f"/api/halls/{HALL}/events",
            params={"after": str(after)},
            headers={"Authorization": f"Bearer {token}"},
        )
        page = await response.json()
        kinds += [e["type"] for e in page["events"]]
        if page["next_after"] == after:
            return kinds, after
        after = page["next_after"]


async def wait_for(client: TestClient, token: str, wanted: set[str], after: int = 0) -> list[str]:
    """The types of the events recorded after `after` until all of `wanted` were seen
    (or ten seconds passed)."""
    kinds: list[str] = []
    deadline = time.monotonic() + 10
    while not wanted <= set(kinds) and time.monotonic() < deadline:
        more, after = await events_of(client, token, after)
        kinds += more
        await asyncio.sleep(0.2)
    return kinds


def crowded_server(settings: Settings) -> TestServer:
    """The app as `hallq demo` builds it, with the real clock: timestamps stay real time."""
    scenario = load_crowd_scenario()
    app = create_app(settings)
    app.cleanup_ctx.append(crowd_context(scenario, SPEED, first_day(scenario), seed=7))
    return TestServer(app, host="127.0.0.1", port=0)


async def test_the_crowd_moves_the_hall_through_the_server_and_stops_with_it(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server = crowded_server(settings)
    async with server, TestClient(server) as client:
        crowd = server.app[CROWD]
        token = await login(client, SUPERVISOR)
        taken = await client.post(
            f"/api/halls/{HALL}/tickets",
            json={"service": "social-security", "request_id": "a-person-at-the-kiosk"},
        )
        mine = (await taken.json())["status_url"]
        kinds = await wait_for(client, token, MOVES)
        assert set(kinds) >= MOVES, kinds
        board = await (await client.get(f"/api/halls/{HALL}/board")).json()
        assert sum(w["status"] != "closed" for w in board["windows"]) >= 5
        assert board["last_calls"]
        deadline = time.monotonic() + 10  # the crowd's staff serve it like any other
        while (status := (await (await client.get(mine)).json())["status"]) != "done":
            assert time.monotonic() < deadline, f"the person's ticket is still {status}"
            await asyncio.sleep(0.1)
        assert crowd.running
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 5.0
    assert not crowd.running
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    store = build_application(settings)
    try:
        events = list(store.events.get(hall_day_id(HALL, store.day_of(HALL))))
    finally:
        store.close()
    crowds = [e for e in events if getattr(e, "request_id", "").startswith(f"crowd-{crowd.run_id}")]
    assert len(crowds) == crowd.port.acknowledged >= len(MOVES)  # every acknowledged one


async def test_staff_acting_by_hand_at_the_crowds_windows_never_stops_the_crowd(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server = crowded_server(settings)
    async with server, TestClient(server) as client:
        crowd = server.app[CROWD]
        staff = {"Authorization": f"Bearer {await login(client, STAFF)}"}
        boss = await login(client, SUPERVISOR)
        await wait_for(client, boss, {"ServiceStarted"})
        deadline, k = time.monotonic() + 8, 0
        while crowd.refusals == 0:  # finish by hand what the crowd's staff are serving
            assert time.monotonic() < deadline, "the crowd never met a refusal"
            board = await (await client.get(f"/api/halls/{HALL}/board")).json()
            for w in (w for w in board["windows"] if w["current"]):
                k += 1
                url = f"/api/halls/{HALL}/windows/{w['number']}/finish"
                await client.post(url, json={"request_id": f"by-hand-{k}"}, headers=staff)
            await asyncio.sleep(0.05)
        assert any("crowd skipped" in r.getMessage() for r in caplog.records)
        _, after = await events_of(client, boss, 0)
        later = await wait_for(client, boss, {"TicketCalled", "ServiceFinished"}, after)
        assert {"TicketCalled", "ServiceFinished"} <= set(later)  # the hall still moves
        assert crowd.running
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def start_demo(folder: Path, speed: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port("127.0.0.1")
    process = subprocess.Popen(
        [sys.executable, "-m", "hallq", "demo", "--dir", str(folder), "--port", str(port), "--speed", speed],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=die_with_parent,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/openapi.json", timeout=1).close()
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.communicate()[1].decode()) from None
            time.sleep(0.2)


def board_of(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/api/halls/{HALL}/board", timeout=5) as response:
        board: dict[str, Any] = json.load(response)
    return board


def stop_demo(process: subprocess.Popen[bytes]) -> tuple[str, str, float]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    return out.decode(), err.decode(), time.monotonic() - started


def test_hallq_demo_brings_a_crowd_says_how_to_stop_it_and_shuts_down_quickly(
    tmp_path: Path,
) -> None:
    process, url = start_demo(tmp_path, "300")
    try:
        deadline = time.monotonic() + 10
        while not (board := board_of(url))["last_calls"]:
            assert time.monotonic() < deadline, "no window called anyone"
            time.sleep(0.2)
        first = board["last_calls"][0]
        time.sleep(1.0)
        assert board_of(url)["last_calls"][0] != first  # still moving
    finally:
        out, err, took = stop_demo(process)
    assert process.returncode == 0 and "Traceback" not in err, err
    assert took < 5.0
    assert "300× 实时 real time" in out and "--speed 0" in out and "--no-crowd" in out


def test_hallq_demo_at_speed_zero_leaves_the_hall_still(tmp_path: Path) -> None:
    process, url = start_demo(tmp_path, "0")
    try:
        before = board_of(url)
        time.sleep(1.5)
        after = board_of(url)
    finally:
        out, err, _ = stop_demo(process)
    assert process.returncode == 0 and "Traceback" not in err, err
    assert "crowd off" in out and "模拟人群 crowd:" not in out
    assert after == before
    # Without a crowd the demo opens a few windows and seats a few residents itself.
    assert sum(w["status"] == "open" for w in before["windows"]) == 7
    assert sum(sum(s["waiting"].values()) for s in before["services"]) == 6
