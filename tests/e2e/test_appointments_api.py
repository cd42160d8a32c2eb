"""Appointments over HTTP: slots, book, my bookings, reschedule, cancel, check in, and a
checked-in resident called ahead of an earlier walk-in; live slots over the WebSocket."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from queue_core.ports import ManualClock
from tests.e2e.conftest import STAFF, connect, login, next_of, subscribe

HALL = "south-axis"
SERVICE = "social-security"  # window 1 serves it by default
TEN = "2026-03-02T10:00:00+08:00"  # the test clock starts at 09:00 hall time that Monday
PHONE = "138 1234 5678"


async def book(client: TestClient, start: str = TEN, rid: str = "b1", phone: str = PHONE) -> Any:
    body = {"request_id": rid, "service": SERVICE, "start": start, "phone": phone}
    return await client.post(f"/api/halls/{HALL}/appointments", json=body)


async def free_at(client: TestClient, start: str) -> int:
    response = await client.get(
        f"/api/halls/{HALL}/appointments/slots", params={"service": SERVICE, "date": "2026-03-02"}
    )
    assert response.status == 200, await response.text()
    slots = (await response.json())["slots"]
    return int(next(s["free"] for s in slots if s["start"] == start))


async def test_a_resident_books_checks_in_on_time_and_is_called_first(
    client: TestClient, clock: ManualClock, ws_url: str
) -> None:
    before = await free_at(client, TEN)
    async with connect(ws_url) as page:
        snapshot = await subscribe(page, f"slots:{HALL}")
        assert snapshot["type"] == "snapshot"
        booked = await book(client)
        assert booked.status == 201, await booked.text()
        live = await next_of(page, "slots")  # the booking page's count moves at once
        tens = [s for s in live["data"]["services"][SERVICE] if s["start"] == TEN]
        assert tens and tens[0]["free"] == before - 1
    answer = await booked.json()
    assert answer["booking"]["status"] == "booked" and answer["page_url"] == f"/b/{answer['token']}"
    assert PHONE.replace(" ", "") not in str(answer)  # the number goes no further
    assert await free_at(client, TEN) == before - 1
    again = await book(client)  # a retried request: the same booking, nothing new
    assert again.status == 200 and (await again.json())["token"] == answer["token"]

    mine = await client.post(
        f"/api/halls/{HALL}/appointments/mine", json={"phone": "+8613812345678"}
    )
    assert [b["id"] for b in (await mine.json())["bookings"]] == [answer["booking"]["id"]]

    token = answer["token"]
    early = await client.post(f"/api/appointments/{token}/check-in")
    assert early.status == 409 and (await early.json())["error"]["code"] == "too_early"

    staff = await login(client, STAFF)
    headers = {"Authorization": f"Bearer {staff}"}
    walk_in = await client.post(
        f"/api/halls/{HALL}/tickets", json={"service": SERVICE, "request_id": "walk-in"}
    )
    assert walk_in.status == 201
    clock.advance(50 * 60)  # 09:50: inside the check-in window
    checked = await client.post(f"/api/appointments/{token}/check-in")
    assert checked.status == 200, await checked.text()
    ticket = (await checked.json())["booking"]["ticket"]
    assert ticket["number"] and ticket["page_url"] == f"/t/{ticket['token']}"
    status = await (await client.get(f"/api/tickets/{ticket['token']}")).json()
    assert status["number"] == ticket["number"]

    clock.advance(10 * 60)  # 10:00: the slot has begun
    opened = await client.post(
        f"/api/halls/{HALL}/windows/1/open", json={"request_id": "o1"}, headers=headers
    )
    assert opened.status == 200
    called = await client.post(
        f"/api/halls/{HALL}/windows/1/call-next", json={"request_id": "c1"}, headers=headers
    )
    assert (await called.json())["current"]["number"] == ticket["number"]  # before the walk-in


async def test_reschedule_and_cancel_move_the_places_and_refusals_are_clear(
    client: TestClient,
) -> None:
    eleven = "2026-03-02T11:00:00+08:00"
    token = (await (await book(client)).json())["token"]
    ten, at_eleven = await free_at(client, TEN), await free_at(client, eleven)
    moved = await client.post(
        f"/api/appointments/{token}/reschedule", json={"request_id": "m1", "start": eleven}
    )
    assert moved.status == 200, await moved.text()
    assert (await free_at(client, TEN), await free_at(client, eleven)) == (ten + 1, at_eleven - 1)

    duplicate = await book(client, start=TEN, rid="b2")  # same person, service, day
    assert duplicate.status == 409
    error = (await duplicate.json())["error"]
    assert error["code"] == "duplicate_booking" and error["message_zh"] and error["message_en"]

    cancelled = await client.delete(f"/api/appointments/{token}")
    assert (await cancelled.json())["booking"]["status"] == "cancelled"
    assert await free_at(client, eleven) == at_eleven

    for bad in (
        await book(client, phone="12345", rid="b3"),
        await client.get(f"/api/appointments/{token[:-2]}xx"),
        await client.get(f"/api/halls/{HALL}/appointments/slots", params={"service": "nope"}),
        await client.get(f"/api/halls/{HALL}/appointments/slots", params={"service": "tax"}),
    ):
        assert bad.status in (400, 404, 409), await bad.text()
        assert "error" in await bad.json()


async def test_a_supervisor_sets_a_slot_s_places_but_never_below_those_booked(
    client: TestClient,
) -> None:
    from tests.e2e.conftest import SUPERVISOR

    assert (await book(client)).status == 201
    body = {"request_id": "cap-1", "service": SERVICE, "start": TEN, "capacity": 3}
    path = f"/api/halls/{HALL}/appointments/capacity"
    staff = await login(client, STAFF)
    refused = await client.post(path, json=body, headers={"Authorization": f"Bearer {staff}"})
    assert refused.status == 403
    boss = {"Authorization": f"Bearer {await login(client, SUPERVISOR)}"}
    done = await client.post(path, json=body, headers=boss)
    assert done.status == 200, await done.text()
    assert await free_at(client, TEN) == 2  # three places, one booked
    below = await client.post(
        path, json={**body, "request_id": "cap-2", "capacity": 0}, headers=boss
    )
    assert below.status == 409 and (await below.json())["error"]["code"] == "capacity_below_booked"


async def test_ids_the_server_makes_cannot_be_claimed_and_a_copied_id_books_nothing_of_anyone_else(
    client: TestClient,
) -> None:
    """A check-in's ticket has the request id `~appointment/<booking>`: a client may not
    use `~` ids, so nobody can issue that ticket first and learn its token."""
    first = await (await book(client)).json()
    claim = {"service": SERVICE, "request_id": f"~appointment/{first['booking']['id']}"}
    refused = await client.post(f"/api/halls/{HALL}/tickets", json=claim)
    assert refused.status == 400 and (await refused.json())["error"]["code"] == "malformed_command"
    copied = await book(client, phone="13900001111")  # another person, the same request id
    assert copied.status == 201
    assert (await copied.json())["booking"]["id"] != first["booking"]["id"]
