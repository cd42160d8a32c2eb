"""What the push benchmark's clients received: deliveries, call latencies, the replay script.

A row is `(client, monotonic_ns, text)`; every client subscribed to one channel. Texts
are parsed once each (hall screens share theirs), by their JSON.
"""

from __future__ import annotations

import json
import math
import pickle
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

Row = tuple[int, int, str]
Script = list[tuple[int, list[tuple[str, int, str]]]]


@dataclass(frozen=True)
class Message:
    channel: str
    seq: int
    kind: str
    call: tuple[str, int] | None  # (number, window) of a `called` message


def parse(text: str) -> Message:
    raw = json.loads(text)
    data = raw.get("data") or {}
    call = (str(data["number"]), int(data["window"])) if raw.get("type") == "called" else None
    return Message(str(raw.get("channel")), int(raw.get("seq", -1)), str(raw.get("type")), call)


@dataclass
class Capture:
    """The rows of every client process, with the clients' channels."""

    channels: dict[int, str]
    rows: list[Row] = field(default_factory=list)
    closed: list[tuple[int, int, int | None]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    _parsed: dict[str, Message] = field(default_factory=dict)

    def add(self, path: Path) -> None:
        with path.open("rb") as f:
            part = pickle.load(f)
        self.rows.extend(part["rows"])
        self.closed.extend(part["closed"])
        self.failed.extend(part["failed"])

    def message(self, text: str) -> Message:
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = parse(text)
        return found

    def between(self, start_ns: int, end_ns: int) -> list[Row]:
        return [row for row in self.rows if start_ns <= row[1] <= end_ns]

    def batches(self, rows: Iterable[Row]) -> int:
        """How many batches of the log were pushed (distinct `seq` of non-heartbeats)."""
        return len(
            {m.seq for m in map(self.message, (r[2] for r in rows)) if m.kind != "heartbeat"}
        )

    def closed_between(self, start_ns: int, end_ns: int) -> Counter[str]:
        return Counter(str(code) for _, at, code in self.closed if start_ns <= at <= end_ns)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def call_latencies_ms(
    capture: Capture, rows: Iterable[Row], sent_ns: dict[tuple[str, int], int]
) -> tuple[list[float], list[float]]:
    """Receive time − send time of call-next, per `called` message: (screens, phones)."""
    screens: list[float] = []
    phones: list[float] = []
    for client, at, text in rows:
        message = capture.message(text)
        if message.call is None or message.call not in sent_ns:
            continue
        latency = (at - sent_ns[message.call]) / 1e6
        channel = capture.channels[client]
        (screens if channel.startswith("display:") else phones).append(latency)
    return screens, phones


def replay_script(capture: Capture, rows: Iterable[Row], t0_ns: int) -> Script:
    """The same texts to as many clients of each channel, at the same times.

    Messages are grouped as hallq published them, by `seq` (one batch of the log), with
    heartbeats apart; a group is replayed at its first receipt (every group's texts are
    sent together, as `websockets.broadcast` of each text to its receivers). A text goes
    to the channel its receivers subscribed to, whatever channel the text itself names."""
    groups: dict[tuple[int, bool], tuple[int, Counter[tuple[str, str]]]] = {}
    for client, at, text in rows:
        message = capture.message(text)
        key = (message.seq, message.kind == "heartbeat")
        first, texts = groups.get(key) or (at, Counter())
        texts[(capture.channels[client], text)] += 1
        groups[key] = (min(first, at), texts)
    script = [
        (first - t0_ns, [(channel, n, text) for (channel, text), n in texts.items()])
        for first, texts in groups.values()
    ]
    script.sort(key=lambda entry: entry[0])
    return script
