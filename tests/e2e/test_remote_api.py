"""Remote tickets (远程取号) over HTTP: take one from the phone, follow its status, confirm
arrival at a kiosk, be called in its place; and the push tells the phone to come."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.e2e.conftest import STAFF, connect, login, next_of, subscribe
from tests.e2e.test_live_api import act, issue

HALL = "south-axis"


async def issue_remote(client: TestClient, request_id: str) -> Any:
    return await client.post(
        f"/api/halls/{HALL}/tickets",
        json={"service": "social-security", "remote": True, "request_id": request_id},
    )


async def test_a_remote_ticket_waits_is_skipped_then_arrives_and_is_called(
    client: TestClient, ws_url: str
) -> None:
    staff = await login(client, STAFF)
    closed = await issue_remote(client, "phone-0")
    assert closed.status == 409
    assert (await closed.json())["error"]["code"] == "not_served_now"

    assert (await act(client, staff, 1, "open", rid="o")).status == 200
    await issue(client, "kiosk-1")  # A001
    response = await issue_remote(client, "phone-1")  # A002, channel mobile by default
    assert response.status == 201, await response.text()
    mine = await response.json()
    assert mine["ticket"] == {
        "number": "A002",
        "service": "social-security",
        "lane": "blue",
        "status": "remote",
    }
    await issue(client, "kiosk-3")  # A003
    status = await (await client.get(mine["status_url"])).json()
    assert (status["channel"], status["remote"], status["arrived"]) == ("mobile", True, False)
    assert (status["position"], status["come_now"]) == (2, True)

    refused = await act(client, staff, 1, "call", rid="s", ticket="A002")
    assert refused.status == 409
    error = (await refused.json())["error"]
    assert "远程" in error["message_zh"] and "kiosk" in error["message_en"]

    called = await act(client, staff, 1, "call-next", rid="c1")
    assert (await called.json())["current"]["number"] == "A001"
    for action in ("start", "finish"):
        assert (await act(client, staff, 1, action, rid="1")).status == 200

    token = mine["token"]
    arrive = f"/api/tickets/{token}/arrive"
    assert (await client.post(arrive, json={})).status == 400  # the kiosk names itself
    arrived = await client.post(arrive, json={"kiosk": "K1"})
    assert arrived.status == 200, await arrived.text()
    body = await arrived.json()
    assert (body["status"], body["arrived"], body["position"]) == ("waiting", True, 1)
    again = await client.post(arrive, json={"kiosk": "K1"})  # a second scan: the same answer
    assert again.status == 200

    called = await act(client, staff, 1, "call-next", rid="c2")
    assert (await called.json())["current"]["number"] == "A002"


async def test_the_phone_hears_come_now_and_a_remote_ticket_from_a_kiosk_is_refused(
    client: TestClient, ws_url: str
) -> None:
    staff = await login(client, STAFF)
    assert (await act(client, staff, 1, "open", rid="o")).status == 200
    kiosk_remote = await client.post(
        f"/api/halls/{HALL}/tickets",
        json={"service": "social-security", "remote": True, "channel": "kiosk", "request_id": "x"},
    )
    assert kiosk_remote.status == 400
    for n in range(6):
        await issue(client, f"kiosk-{n}")
    mine = await (await issue_remote(client, "phone-1")).json()  # A007: 6 ahead
    async with connect(ws_url) as phone:
        first = await subscribe(phone, f"ticket:{mine['token']}")
        assert (first["data"]["people_ahead"], first["data"]["come_now"]) == (6, False)
        await act(client, staff, 1, "call-next", rid="c")  # 5 ahead now: come
        pushed = await next_of(phone, "ticket")
        assert (pushed["data"]["people_ahead"], pushed["data"]["come_now"]) == (5, True)


async def test_the_openapi_document_describes_arrival(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    assert "post" in document["paths"]["/api/tickets/{token}/arrive"]
    issue_body = document["components"]["schemas"]["IssueTicketRequest"]
    assert issue_body["properties"]["remote"] == {"type": "boolean"}
    assert "come_now" in document["components"]["schemas"]["TicketStatus"]["properties"]
