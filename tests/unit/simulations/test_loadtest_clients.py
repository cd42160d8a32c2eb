"""Phones keep following the front of the queue: once a phone's ticket is called, it takes
up the next token from the pool, on the same socket."""

from __future__ import annotations

import json
from typing import Any

import orjson

from simulations.loadtest_clients import Phones, moves_on
from simulations.loadtest_sockets import Recorder


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


def message(channel: str, kind: str, **data: Any) -> str:
    # as the server encodes it (orjson: no spaces), so the phones' fast filter sees it
    return orjson.dumps({"channel": channel, "seq": 3, "type": kind, "data": data}).decode()


def phones_following(tokens: dict[int, str]) -> tuple[Phones, Recorder, dict[int, FakeSocket]]:
    recorder, sockets = Recorder(), {c: FakeSocket() for c in tokens}
    phones = Phones(recorder, sockets)  # type: ignore[arg-type]
    phones.start(tokens)
    return phones, recorder, sockets


def test_a_ticket_is_gone_once_called_or_no_longer_waiting() -> None:
    assert moves_on(message("ticket:a", "called", number="A001", window=2)) == ("ticket:a", True)
    assert moves_on(message("ticket:a", "ticket", status="serving")) == ("ticket:a", True)
    assert moves_on(message("ticket:a", "ticket", status="waiting")) == ("ticket:a", False)


async def test_a_called_phone_follows_the_oldest_new_ticket() -> None:
    phones, recorder, sockets = phones_following({5: "a", 6: "b"})
    await phones.offer(["c", "d"])
    recorder.rows.append((5, 1, message("ticket:a", "ticket", status="waiting")))
    recorder.rows.append((6, 2, message("ticket:b", "called", number="A002", window=1)))
    await phones.advance()
    assert sockets[5].sent == []
    assert sockets[6].sent == [{"op": "subscribe", "channel": "ticket:c"}]
    assert phones.following == {5: "ticket:a", 6: "ticket:c"}
    assert json.loads(recorder.rows[-1][2])["type"] == "followed"


async def test_news_of_a_ticket_the_phone_left_behind_moves_it_no_further() -> None:
    phones, recorder, sockets = phones_following({5: "a"})
    await phones.offer(["b", "c"])
    recorder.rows.append((5, 1, message("ticket:a", "called", number="A001", window=1)))
    await phones.advance()
    recorder.rows.append((5, 2, message("ticket:a", "ticket", status="done")))
    await phones.advance()
    assert phones.following == {5: "ticket:b"}
    assert len(sockets[5].sent) == 1


async def test_a_phone_with_no_ticket_left_waits_for_the_next_one() -> None:
    phones, recorder, sockets = phones_following({5: "a"})
    recorder.rows.append((5, 1, message("ticket:a", "called", number="A001", window=1)))
    await phones.advance()
    assert sockets[5].sent == [] and list(phones.idle) == [5]
    await phones.offer(["z"])
    assert sockets[5].sent == [{"op": "subscribe", "channel": "ticket:z"}]
    assert phones.following[5] == "ticket:z" and not phones.idle
