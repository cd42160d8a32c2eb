"""The push hub's writes: one write per client per batch, queues when a socket is behind,
heartbeats only for clients that heard nothing for a while."""

from __future__ import annotations

from typing import Any

import orjson

from displays.push import HEARTBEAT_S, PushHub, Subscriber


class Socket:
    """What a client's transport was asked to write; refuses writes while `full`."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.full = False

    def write(self, frame: bytes) -> bool:
        if self.full:
            return False
        self.writes.append(frame)
        return True


def client(hub: PushHub, *channels: str, queue_limit: int = 256) -> tuple[Subscriber, Socket]:
    subscriber, socket = Subscriber(queue_limit=queue_limit), Socket()
    subscriber.write_now = socket.write
    for channel in channels:
        hub.subscribe(subscriber, channel)
    return subscriber, socket


def frames(write: bytes) -> list[dict[str, Any]]:
    """The messages of one write: unmasked text frames back to back (RFC 6455 §5.2)."""
    messages = []
    while write:
        length, start = write[1], 2
        if length == 126:
            length, start = int.from_bytes(write[2:4], "big"), 4
        messages.append(orjson.loads(write[start : start + length]))
        write = write[start + length :]
    return messages


def test_a_batch_reaches_each_client_in_one_write_in_publishing_order() -> None:
    hub = PushHub()
    _, screen_socket = client(hub, "display:h")
    _, other_socket = client(hub, "display:h")
    with hub.gathered():
        hub.publish("display:h", 7, "called", {"number": "A001", "window": 3})
        hub.publish("display:h", 7, "board", {"rows": ["x" * 200]})
        assert screen_socket.writes == []  # nothing leaves before the batch is complete
    assert len(screen_socket.writes) == len(other_socket.writes) == 1
    assert [m["type"] for m in frames(screen_socket.writes[0])] == ["called", "board"]
    assert screen_socket.writes == other_socket.writes
    assert hub.deliveries == 4


def test_outside_a_batch_each_message_is_written_at_once() -> None:
    hub = PushHub()
    _, socket = client(hub, "display:h")
    hub.publish("display:h", 1, "called", {"number": "A001"})
    assert [frames(w)[0]["seq"] for w in socket.writes] == [1]


def test_a_client_whose_socket_is_behind_gets_the_batch_queued_in_order() -> None:
    hub = PushHub()
    subscriber, socket = client(hub, "display:h")
    socket.full = True
    with hub.gathered():
        hub.publish("display:h", 7, "called", {"number": "A001"})
        hub.publish("display:h", 7, "board", {})
    assert socket.writes == []
    queued = [orjson.loads(item.text)["type"] for item in subscriber.queue.items]
    assert queued == ["called", "board"]
    assert hub.deliveries == 2


def test_a_client_whose_queue_overflows_while_a_batch_is_written_is_dropped() -> None:
    hub = PushHub()
    subscriber, socket = client(hub, "display:h", queue_limit=1)
    socket.full = True
    with hub.gathered():
        hub.publish("display:h", 7, "called", {"number": "A001"})
        hub.publish("display:h", 7, "called", {"number": "A002"})
    assert subscriber.queue.overflowed
    assert not hub.has_subscribers("display:h")
    assert hub.dropped == 1


def test_only_a_client_that_heard_nothing_for_a_while_gets_heartbeats() -> None:
    hub = PushHub()
    _, quiet_socket = client(hub, "display:h", "ticket:abc")
    _, busy_socket = client(hub, "display:h2")
    for second in range(1, 3 * HEARTBEAT_S + 1):
        if second % 5 == 0:
            hub.publish("display:h2", second, "board", {})
        hub.beat(seq=second)
        if second == HEARTBEAT_S - 1:
            assert quiet_socket.writes == []  # not yet
    beats = [m for w in quiet_socket.writes for m in frames(w) if m["type"] == "heartbeat"]
    assert [(m["channel"], m["seq"]) for m in beats] == [
        (channel, second)
        for second in (HEARTBEAT_S, 2 * HEARTBEAT_S, 3 * HEARTBEAT_S)
        for channel in ("display:h", "ticket:abc")
    ]
    assert all(frames(w)[0]["type"] == "board" for w in busy_socket.writes)


def test_a_heartbeat_waits_in_the_queue_of_a_client_that_is_behind() -> None:
    hub = PushHub()
    subscriber, socket = client(hub, "display:h")
    socket.full = True
    for second in range(1, HEARTBEAT_S + 1):
        hub.beat(seq=second)
    assert [orjson.loads(item.text)["type"] for item in subscriber.queue.items] == ["heartbeat"]
