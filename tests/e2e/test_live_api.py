"""The live hall end to end: HTTP in, WebSocket out, through a real server on a free port."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import websockets
from aiohttp.test_utils import TestClient, TestServer

from hallq.live import ReadModels
from hallq.web import SERVICES
from projections.follower import LogFollower
from queue_core.ports import ManualClock
from tests.e2e.conftest import STAFF, SUPERVISOR, connect, login, next_of, subscribe

HALL = "south-axis"


async def issue(
    client: TestClient, request_id: str, service: str = "social-security", lane: str = "blue"
) -> dict[str, Any]:
    response = await client.post(
        f"/api/halls/{HALL}/tickets",
        json={"service": service, "lane": lane, "channel": "kiosk", "request_id": request_id},
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def act(client: TestClient, token: str, window: int, action: str, **body: Any) -> Any:
    response = await client.post(
        f"/api/halls/{HALL}/windows/{window}/{action}",
        json={"request_id": f"{action}-{window}-{body.pop('rid', '')}", **body},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response


async def test_a_ticket_issued_over_http_and_called_reaches_the_display_and_its_phone(
    client: TestClient, ws_url: str
) -> None:
    staff = await login(client, STAFF)
    ticket = await issue(client, "kiosk-1")
    assert ticket["ticket"]["number"] == "A001" and ticket["ticket"]["status"] == "waiting"
    assert len(ticket["token"]) >= 32
    async with connect(ws_url) as screen, connect(ws_url) as phone:
        board = await subscribe(screen, f"display:{HALL}")
        assert board["type"] == "snapshot" and board["data"]["hall"] == HALL
        mine = await subscribe(phone, f"ticket:{ticket['token']}")
        assert mine["type"] == "ticket" and mine["data"]["position"] == 1
        assert (await act(client, staff, 1, "open", rid="o")).status == 200
        called = await act(client, staff, 1, "call-next", rid="c")
        assert (await called.json())["current"]["number"] == "A001"
        on_screen = await next_of(screen, "called")
        assert on_screen["data"]["number"] == "A001" and on_screen["data"]["window"] == 1
        assert on_screen["channel"] == f"display:{HALL}" and on_screen["seq"] > board["seq"]
        on_phone = await next_of(phone, "called")
        assert (
            on_phone["channel"] == f"ticket:{ticket['token']}" and on_phone["data"]["window"] == 1
        )
    status = await (await client.get(ticket["status_url"])).json()
    assert status["status"] == "called" and status["window"] == 1


async def test_a_phone_hears_only_its_own_ticket(client: TestClient, ws_url: str) -> None:
    staff = await login(client, STAFF)
    first, second = await issue(client, "k1"), await issue(client, "k2")
    await act(client, staff, 1, "open", rid="o")
    async with connect(ws_url) as phone:
        await subscribe(phone, f"ticket:{second['token']}")
        await act(client, staff, 1, "call-next", rid="c1")  # calls A001, not ours
        update = await next_of(phone, "ticket")
        assert update["data"]["number"] == "A002" and update["data"]["position"] == 1
        assert first["token"] not in json.dumps(update)
        await act(client, staff, 1, "start", rid="s")
        await act(client, staff, 1, "finish", rid="f")
        await act(client, staff, 1, "call-next", rid="c2")
        assert (await next_of(phone, "called"))["data"]["number"] == "A002"


async def test_reconnecting_with_the_last_seq_gets_what_was_missed_in_order_once(
    client: TestClient, ws_url: str
) -> None:
    staff = await login(client, STAFF)
    for k in range(4):
        await issue(client, f"k{k}")
    for w in (1, 2, 3):
        await act(client, staff, w, "open", rid="o")
    async with connect(ws_url) as screen:
        snapshot = await subscribe(screen, f"display:{HALL}")
        await act(client, staff, 1, "call-next", rid="c")
        last_seen = (await next_of(screen, "called"))["seq"]
    for w in (2, 3):  # while the screen is away
        await act(client, staff, w, "call-next", rid="c")
    async with connect(ws_url) as screen:
        await screen.send(
            json.dumps({"op": "subscribe", "channel": f"display:{HALL}", "after": last_seen})
        )
        missed = [await next_of(screen, "called") for _ in range(2)]
        assert [m["data"]["window"] for m in missed] == [2, 3]
        assert last_seen < missed[0]["seq"] < missed[1]["seq"] and snapshot["seq"] < last_seen
        await act(client, staff, 1, "start", rid="s")
        await act(client, staff, 1, "finish", rid="f")
        await act(client, staff, 1, "call-next", rid="c2")
        fresh = await next_of(screen, "called")
        assert fresh["data"]["window"] == 1 and fresh["seq"] > missed[1]["seq"]


async def test_a_resume_from_too_long_ago_gets_a_full_snapshot(
    client: TestClient, ws_url: str
) -> None:
    async with connect(ws_url) as screen:
        reply = await subscribe(screen, f"display:{HALL}", after=0)  # before this server started
        assert reply["type"] == "snapshot" and "services" in reply["data"]


async def test_a_stalled_client_is_dropped_and_does_not_delay_the_others(
    server: TestServer, client: TestClient, ws_url: str
) -> None:
    live = server.app[SERVICES].live
    live.hub.queue_limit = 8
    staff = await login(client, STAFF)
    await act(client, staff, 1, "open", rid="o")
    stalled_socket = socket.socket()
    stalled_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled_socket.connect(("127.0.0.1", server.port))
    async with (
        websockets.connect(ws_url, sock=stalled_socket, max_queue=1, compression=None) as stalled,
        connect(ws_url) as screen,
    ):
        await subscribe(stalled, f"display:{HALL}")
        await subscribe(screen, f"display:{HALL}")
        stalled.transport.pause_reading()  # from now on it reads nothing at all
        slowest = 0.0
        for k in range(300):
            await issue(client, f"t{k}")
            started = asyncio.get_running_loop().time()
            await act(client, staff, 1, "call-next", rid=f"c{k}")
            message = await next_of(screen, "called")
            slowest = max(slowest, asyncio.get_running_loop().time() - started)
            assert message["data"]["number"] == f"A{k + 1:03d}"
            await act(client, staff, 1, "start", rid=f"s{k}")
            await act(client, staff, 1, "finish", rid=f"f{k}")
            if live.hub.dropped:
                break
        assert live.hub.dropped >= 1, "the stalled client was never dropped"
        assert slowest < 1.0


async def test_protected_endpoints_refuse_missing_bad_wrong_role_and_expired_tokens(
    client: TestClient, ws_url: str, clock: ManualClock
) -> None:
    staff = await login(client, STAFF)
    boss = await login(client, SUPERVISOR)
    no_token = await client.post(f"/api/halls/{HALL}/windows/1/open", json={"request_id": "x"})
    assert no_token.status == 401 and (await no_token.json())["error"]["code"] == "unauthorized"
    assert (await act(client, "garbage", 1, "open", rid="g")).status == 401
    assert (
        await client.get(f"/api/halls/{HALL}/events", headers={"Authorization": f"Bearer {staff}"})
    ).status == 403
    assert (
        await client.get(f"/api/halls/{HALL}/events", headers={"Authorization": f"Bearer {boss}"})
    ).status == 200
    async with connect(ws_url) as ws:
        assert (await subscribe(ws, f"window:{HALL}:1"))["op"] == "error"
        assert (await subscribe(ws, f"cockpit:{HALL}", token=staff))["code"] == "forbidden"
        assert (await subscribe(ws, f"window:{HALL}:1", token=staff))["type"] == "snapshot"
        assert (await subscribe(ws, f"cockpit:{HALL}", token=boss))["type"] == "snapshot"
        assert (await subscribe(ws, "ticket:not-a-real-token"))["code"] == "unknown_ticket"
    clock.advance(13 * 3600)  # past the tokens' lifetime
    assert (await act(client, staff, 1, "open", rid="late")).status == 401
    assert (
        await client.post("/api/login", json={"username": STAFF[0], "password": "wrong"})
    ).status == 401


async def test_errors_are_json_in_both_languages_and_never_500(client: TestClient) -> None:
    staff = await login(client, STAFF)
    cases = [
        (await client.get("/api/halls/nowhere/board"), 404, "unknown_hall"),
        (
            await client.post(f"/api/halls/{HALL}/tickets", data=b"{not json"),
            400,
            "malformed_command",
        ),
        (
            await client.post(
                f"/api/halls/{HALL}/tickets", json={"service": "x", "request_id": "r", "extra": 1}
            ),
            400,
            "malformed_command",
        ),
        (
            await client.post(
                f"/api/halls/{HALL}/tickets", json={"service": "nope", "request_id": "r"}
            ),
            404,
            "unknown_service",
        ),
        (await act(client, staff, 99, "open", rid="w"), 404, "unknown_window"),
        (await act(client, staff, 1, "start", rid="s"), 409, "window_state"),
        (await act(client, staff, 1, "dance", rid="d"), 400, "malformed_command"),
        (await client.get("/api/tickets/unknown-token"), 404, "unknown_ticket"),
    ]
    for response, status, code in cases:
        body = await response.json()
        assert (response.status, body["error"]["code"]) == (status, code), body
        assert body["error"]["message_zh"] and body["error"]["message_en"]


async def test_one_client_issuing_too_fast_gets_429(server: TestServer, client: TestClient) -> None:
    server.app[SERVICES].issue_limit.burst = 3
    statuses = []
    for k in range(6):
        response = await client.post(
            f"/api/halls/{HALL}/tickets",
            json={"service": "social-security", "request_id": f"fast-{k}"},
        )
        statuses.append(response.status)
    assert statuses[:3] == [201, 201, 201] and 429 in statuses[3:]


async def test_a_retried_ticket_request_returns_the_same_ticket_and_token(
    client: TestClient,
) -> None:
    first = await issue(client, "same-request")
    again = await client.post(
        f"/api/halls/{HALL}/tickets",
        json={
            "service": "social-security",
            "lane": "blue",
            "channel": "kiosk",
            "request_id": "same-request",
        },
    )
    assert again.status == 200
    body = await again.json()
    assert body["token"] == first["token"] and body["ticket"]["number"] == first["ticket"]["number"]


async def test_a_resident_can_cancel_their_ticket_once(client: TestClient) -> None:
    ticket = await issue(client, "c")
    first = await client.delete(ticket["status_url"])
    assert first.status == 200 and (await first.json())["status"] == "cancelled"
    again = await client.delete(ticket["status_url"])
    assert again.status == 200 and (await again.json())["status"] == "cancelled"


async def test_the_service_guide_and_the_openapi_document_are_served(client: TestClient) -> None:
    guide = await (await client.get(f"/api/halls/{HALL}/services")).json()
    assert len(guide["services"]) == 32 and guide["services"][0]["materials"]
    spec = await (await client.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.") and "/api/halls/{hall}/tickets" in spec["paths"]


async def test_read_models_rebuilt_from_zero_equal_the_live_ones(
    server: TestServer, client: TestClient
) -> None:
    staff = await login(client, STAFF)
    for k in range(6):
        await issue(client, f"r{k}", lane=("green", "blue")[k % 2])
    for w in (1, 2):
        await act(client, staff, w, "open", rid="o")
        await act(client, staff, w, "call-next", rid="c")
    await act(client, staff, 1, "start", rid="s")
    await act(client, staff, 1, "transfer", rid="t", to_service="medical-insurance", note="医保")
    await act(client, staff, 2, "no-show", rid="n")
    live = server.app[SERVICES].live
    fresh = ReadModels.for_app(live.app)
    await asyncio.to_thread(LogFollower(live.app, fresh.all()).catch_up)
    for mine, rebuilt in zip(live.models.all(), fresh.all(), strict=True):
        assert rebuilt.state() == mine.state(), type(mine).__name__
