"""The scheduler's supervisor API and the cockpit channel, through a real server."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from queue_core.ports import ManualClock
from tests.e2e.conftest import STAFF, SUPERVISOR, connect, login, next_of, subscribe

HALL = "south-axis"


async def post(client: TestClient, path: str, token: str, body: Any = None) -> Any:
    return await client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


async def test_a_supervisor_asks_for_a_plan_sees_it_on_the_cockpit_and_approves_it(
    client: TestClient, ws_url: str, clock: ManualClock
) -> None:
    staff, boss = await login(client, STAFF), await login(client, SUPERVISOR)
    opened = await post(client, f"/api/halls/{HALL}/windows/5/open", staff, {"request_id": "o5"})
    assert opened.status == 200
    clock.advance(25 * 60)  # past the minimum dwell of a window just opened
    for n in range(12):
        body = {
            "service": "residence-permit",
            "lane": "blue",
            "channel": "kiosk",
            "request_id": f"k{n}",
        }
        assert (await client.post(f"/api/halls/{HALL}/tickets", json=body)).status == 201
    async with connect(ws_url) as cockpit:
        await subscribe(cockpit, f"cockpit:{HALL}", token=boss)
        made = await post(client, f"/api/halls/{HALL}/plans", boss)
        assert made.status == 201
        plan = await made.json()
        assert plan["status"] == "pending" and plan["trigger"]["kind"] == "manual"
        [change] = plan["changes"]
        assert change["window"] == 5 and "residence-permit" in change["after"]
        assert change["reason_zh"] and change["reason_en"]
        pushed = await next_of(cockpit, "plan")
        assert pushed["data"]["id"] == plan["id"]
        approved = await post(client, f"/api/halls/{HALL}/plans/{plan['id']}/approve", boss)
        assert approved.status == 200 and (await approved.json())["status"] == "applied"
        assert (await next_of(cockpit, "plan"))["data"]["status"] == "applied"
    board = await (await client.get(f"/api/halls/{HALL}/board")).json()
    window5 = next(w for w in board["windows"] if w["number"] == 5)
    assert "residence-permit" in window5["services"]
    listed = await client.get(
        f"/api/halls/{HALL}/plans", headers={"Authorization": f"Bearer {boss}"}
    )
    assert [p["id"] for p in (await listed.json())["plans"]] == [plan["id"]]


async def test_plans_are_for_supervisors_and_unknown_plans_are_404(client: TestClient) -> None:
    staff, boss = await login(client, STAFF), await login(client, SUPERVISOR)
    assert (await post(client, f"/api/halls/{HALL}/plans", staff)).status == 403
    assert (await client.get(f"/api/halls/{HALL}/plans")).status == 401
    missing = await post(client, f"/api/halls/{HALL}/plans/nope/approve", boss)
    assert missing.status == 404
    assert (await missing.json())["error"]["code"] == "unknown_plan"
