"""What the push benchmark's clients received: deliveries, call latencies, the replay script.

A row is `(client, monotonic_ns, text)`; every client subscribed to one channel. Texts
are parsed once each (hall screens share theirs), by their JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from simulations.loadtest_records import Capture, Row, percentile

__all__ = [
    "Capture",
    "Row",
    "Script",
    "call_latencies_ms",
    "percentile",
    "replay_script",
]

Script = list[tuple[int, list[tuple[str, int, str]]]]


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
