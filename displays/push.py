"""Fan-out of push messages to WebSocket clients: one bounded queue per client.

A single publisher (the log follower) hands each message to `PushHub.publish`, which
never awaits. A client that is keeping up (nothing queued, nothing being sent, its
socket's write buffer nearly empty) gets the message written straight to its transport
as a ready-made frame, built once per message as `websockets.broadcast` does; any other
client gets it appended to its own bounded queue, which its sender task drains. So a slow
phone never delays a hall screen: its queue fills, and when full the client is dropped
with close code 4008 and may resume from its last sequence number.

While the publisher works through one batch of the log, the hub gathers each keeping-up
client's frames (`gathered()`) and writes them together at the end: a hall screen gets a
call and the board it changed in one write. A write to a socket is a system call, the
dearest part of a delivery on these machines, and the batch is built in a millisecond.

Heartbeats (application level: browsers cannot see WebSocket pings) go only to a client
that has been sent nothing for HEARTBEAT_S: one clock for the hub (`beat()`, once a
second) instead of a timer per client, and a busy screen's messages are its heartbeat.

State messages (a ticket's status, a board) are coalesced in a client's queue: a newer
one replaces an older one still waiting to be sent, so a phone that is behind gets the
latest state, not a backlog. Event messages (a call) are never coalesced: a hall screen
must announce every call.
"""

from __future__ import annotations

import asyncio
import struct
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

LAGGING = 4008  # close code: your queue overflowed; reconnect and resume with your last seq
QUEUE_LIMIT = 256
RESUME_BUFFER = 4096  # messages kept per hall for resuming clients (ticket channels excluded)
STATE_TYPES = frozenset({"ticket", "board", "snapshot", "window", "cockpit"})
HEARTBEAT_S = 15  # a client sent nothing this long gets a heartbeat (see `PushHub.beat`)


def text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2), server to client;
    `payload` is UTF-8 text."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


def encode(channel: str, seq: int, kind: str, data: dict[str, Any]) -> bytes:
    """A message as UTF-8 JSON text, kept as bytes up to the socket: never decoded to
    `str` and encoded back. orjson: a tenth of json.dumps's time."""
    return orjson.dumps({"channel": channel, "seq": seq, "type": kind, "data": data})


@dataclass
class _Item:
    text: bytes  # UTF-8 JSON text, see `encode`
    key: tuple[str, str] | None  # (channel, type) of a coalescable state message


@dataclass
class ClientQueue:
    """What one client has yet to be sent. `put` never blocks; it reports overflow."""

    limit: int = QUEUE_LIMIT
    items: deque[_Item] = field(default_factory=deque)
    pending_state: dict[tuple[str, str], _Item] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    overflowed: bool = False

    def put(self, text: bytes, channel: str, kind: str) -> bool:
        key = (channel, kind) if kind in STATE_TYPES else None
        if key is not None and key in self.pending_state:
            self.pending_state[key].text = text  # newer state replaces the unsent one
            return True
        if len(self.items) >= self.limit:
            self.overflowed = True
            self.ready.set()
            return False
        item = _Item(text, key)
        self.items.append(item)
        if key is not None:
            self.pending_state[key] = item
        self.ready.set()
        return True

    async def get(self) -> bytes | None:
        """The next text to send, or None once the queue has overflowed."""
        while not self.items and not self.overflowed:
            self.ready.clear()
            await self.ready.wait()
        if self.overflowed:
            return None
        item = self.items.popleft()
        if item.key is not None and self.pending_state.get(item.key) is item:
            del self.pending_state[item.key]
        return item.text


class Subscriber:
    """One connected client: its queue and the channels it listens to."""

    def __init__(self, name: str = "", queue_limit: int = QUEUE_LIMIT) -> None:
        self.name = name
        self.queue = ClientQueue(limit=queue_limit)
        # Writes a frame to the socket now if it can take it at once (else returns False);
        # set by the connection handler, None for clients without a socket (tests).
        self.write_now: Callable[[bytes], bool] | None = None
        self.sending = False  # its sender task is in the middle of a send
        self.channels: set[str] = set()
        self.wire: dict[str, str] = {}  # internal channel -> the name this client used
        self.quiet_s = 0  # beats of the hub's heartbeat clock since it was last sent anything

    def writer(self) -> Callable[[bytes], bool] | None:
        """Its socket's writer if a frame may be written now, in order (nothing of its is
        queued or being sent); else None."""
        return None if self.sending or self.queue.items else self.write_now


def hall_of(channel: str) -> str:
    """`display:south-axis` -> `south-axis`; ticket channels belong to no resume buffer."""
    if channel.startswith("ticket:"):
        return ""
    parts = channel.split(":")
    return parts[1] if len(parts) > 1 else ""


class PushHub:
    """Channels are named internally as clients name them, except tickets: a phone
    subscribes to `ticket:{token}`, the hub files it under `ticket:{digest}` (the only
    handle the log knows) and writes the client's own name back in its messages."""

    def __init__(self, queue_limit: int = QUEUE_LIMIT) -> None:
        self.queue_limit = queue_limit  # per client; see Subscriber
        # internal channel -> subscriber -> the channel name that subscriber used
        self._subscribers: dict[str, dict[Subscriber, str]] = defaultdict(dict)
        self._recent: dict[str, deque[tuple[int, str, bytes]]] = defaultdict(
            lambda: deque(maxlen=RESUME_BUFFER)
        )
        self._by_kind: dict[str, set[str]] = defaultdict(set)  # "ticket" -> its channels
        self._clients: set[Subscriber] = set()  # every subscriber with a channel
        self._floor = 0  # messages after this seq are in the resume buffers
        # While gathering: keeping-up client -> its frames so far, with what each was
        # (text, channel, kind), to queue them instead if the socket cannot take them.
        self._held: dict[Subscriber, list[tuple[bytes, bytes, str, str]]] | None = None
        self.deliveries = 0
        self.dropped = 0

    def start_at(self, seq: int) -> None:
        """Resume buffers hold what was published after `seq` (the start-up catch-up)."""
        self._floor = seq

    def subscribe(self, subscriber: Subscriber, channel: str, wire_name: str | None = None) -> None:
        subscriber.channels.add(channel)
        subscriber.wire[channel] = wire_name or channel
        self._subscribers[channel][subscriber] = wire_name or channel
        self._by_kind[channel.split(":", 1)[0]].add(channel)
        self._clients.add(subscriber)

    def unsubscribe_all(self, subscriber: Subscriber) -> None:
        for channel in subscriber.channels:
            listeners = self._subscribers.get(channel)
            if listeners is not None:
                listeners.pop(subscriber, None)
                if not listeners:
                    del self._subscribers[channel]
                    self._by_kind[channel.split(":", 1)[0]].discard(channel)
        subscriber.channels.clear()
        subscriber.wire.clear()
        self._clients.discard(subscriber)

    def has_subscribers(self, channel: str) -> bool:
        return bool(self._subscribers.get(channel))

    def listened(self, kind: str) -> set[str]:
        """The channels of one kind that have subscribers, as a live set: read, never change."""
        return self._by_kind.get(kind) or set()

    def channels(self, kind: str) -> list[str]:
        """The channels of one kind (`ticket`, `window`, …) that have subscribers."""
        return list(self._by_kind.get(kind, ()))

    @contextmanager
    def gathered(self) -> Iterator[None]:
        """Gather the frames published inside this block per keeping-up client, and write
        each client's in one go at its end (see the module's docstring)."""
        if self._held is not None:  # already gathering: the outer block writes
            yield
            return
        self._held = {}
        try:
            yield
        finally:
            held, self._held = self._held, None
            self._write_held(held)

    def _write_held(self, held: dict[Subscriber, list[tuple[bytes, bytes, str, str]]]) -> None:
        for subscriber, items in held.items():
            frame = items[0][0] if len(items) == 1 else b"".join(i[0] for i in items)
            if subscriber.write_now is not None and subscriber.write_now(frame):
                self.deliveries += len(items)
                subscriber.quiet_s = 0
                continue
            for _, text, channel, kind in items:  # the socket is behind: queue them
                self._queue(subscriber, text, channel, kind)

    def publish(self, channel: str, seq: int, kind: str, data: dict[str, Any]) -> None:
        hall = hall_of(channel)
        listeners = self._subscribers.get(channel)
        if not hall:  # a ticket's channel: one phone, no resume buffer (see `missed`)
            for subscriber, wire in list(listeners.items()) if listeners else ():
                self._deliver(subscriber, encode(wire, seq, kind, data), channel, kind, None)
            return
        text = encode(channel, seq, kind, data)
        self._recent[hall].append((seq, channel, text))
        if not listeners:
            return
        frame = text_frame(text)  # built once, as `websockets.broadcast` does
        for subscriber, wire in list(listeners.items()):
            if wire == channel:
                self._deliver(subscriber, text, channel, kind, frame)
            else:  # a client that named the channel its own way gets its own name back
                self._deliver(subscriber, encode(wire, seq, kind, data), channel, kind, None)

    def _deliver(
        self, subscriber: Subscriber, text: bytes, channel: str, kind: str, frame: bytes | None
    ) -> None:
        """Hand one message to one client: into the batch's gathered writes, straight to
        its socket, or, if it is behind, into its queue (in that order of preference)."""
        write = subscriber.writer()
        if write is not None:
            if frame is None:
                frame = text_frame(text)
            held = self._held
            if held is not None:
                held.setdefault(subscriber, []).append((frame, text, channel, kind))
                return
            if write(frame):  # in order: nothing of its is pending
                self.deliveries += 1
                subscriber.quiet_s = 0
                return
        self._queue(subscriber, text, channel, kind)

    def _queue(self, subscriber: Subscriber, text: bytes, channel: str, kind: str) -> None:
        if subscriber.queue.put(text, channel, kind):
            self.deliveries += 1
            subscriber.quiet_s = 0
        elif subscriber.channels:  # overflowed just now (later texts find it unsubscribed)
            self.dropped += 1
            self.unsubscribe_all(subscriber)  # its sender closes the socket

    def beat(self, seq: int) -> None:
        """One second of the heartbeat clock: each client sent nothing for HEARTBEAT_S
        gets a heartbeat on each of its channels (its watchdog reconnects after a long
        silence; 40 s in `hallq.js`)."""
        for subscriber in list(self._clients):
            subscriber.quiet_s += 1
            if subscriber.quiet_s < HEARTBEAT_S:
                continue
            for channel, wire in list(subscriber.wire.items()):
                self._deliver(
                    subscriber, encode(wire, seq, "heartbeat", {}), channel, "heartbeat", None
                )

    def missed(self, channel: str, after: int) -> list[bytes] | None:
        """Messages of `channel` after `after`, in order; None if the buffer no longer
        reaches back that far (the client then gets a snapshot instead)."""
        hall = hall_of(channel)
        if not hall or after < self._floor:
            return None
        recent = self._recent.get(hall, deque())
        if len(recent) == recent.maxlen and recent[0][0] > after:
            return None  # the oldest kept message is newer than the client: some fell out
        return [text for seq, ch, text in recent if ch == channel and seq > after]

    def send_to(self, subscriber: Subscriber, texts: Iterable[bytes], channel: str) -> None:
        """Queue texts for one subscriber only (snapshots and resumed messages)."""
        for text in texts:
            subscriber.queue.put(text, channel, "replay")
        subscriber.quiet_s = 0
