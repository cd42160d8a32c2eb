"""What WebSocket clients received, as rows: parsed once per text, and percentiles of it.

A row is `(client, monotonic_ns, text)`, written by a client process (see
`simulations.loadtest_clients`); identical texts (every hall screen gets the same board)
are parsed once. Shared by the load test and the push benchmark.
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
