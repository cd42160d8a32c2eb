"""What the screens and phones received, sorted out for the load test's figures."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulations.loadtest_records import Capture, Row

Call = tuple[str, int]  # (ticket number, window)


@dataclass
class Receipts:
    screens: list[tuple[Call, int]] = field(default_factory=list)  # a call, when it arrived
    phones: list[tuple[Call, int]] = field(default_factory=list)
    followed: dict[str, int] = field(default_factory=dict)  # token -> when a phone took it up
    delivered: list[int] = field(default_factory=list)  # arrival times of every message, sorted
    closed: list[int] = field(default_factory=list)  # when a socket was closed on a client

    def absorb(self, capture: Capture, rows: Iterable[Row], closed: Iterable[int] = ()) -> None:
        """Add rows the clients recorded (in any order) and the times of unexpected closes."""
        arrivals = []
        for _, at, text in rows:
            message = capture.message(text)
            if message.kind == "followed":
                self.followed.setdefault(message.channel.removeprefix("ticket:"), at)
                continue
            arrivals.append(at)
            if message.call is not None:
                phone = message.channel.startswith("ticket:")
                (self.phones if phone else self.screens).append((message.call, at))
        self.delivered = sorted(self.delivered + arrivals)
        self.closed.extend(closed)

    def deliveries_between(self, start_ns: int, end_ns: int) -> int:
        return bisect.bisect_right(self.delivered, end_ns) - bisect.bisect_left(
            self.delivered, start_ns
        )

    def latencies_ms(self, calls: dict[Call, int], phones: bool) -> list[float]:
        """Arrival − send time of each call in `calls` (call → its send time), on screens
        or on phones."""
        found = self.phones if phones else self.screens
        return [(at - calls[call]) / 1e6 for call, at in found if call in calls]

    def phones_expected(
        self, calls: dict[Call, int], tokens: dict[str, str], margin_ns: int
    ) -> int:
        """How many of `calls` were of tickets a phone had followed for `margin_ns`
        before the call was sent (so the phone was sure to be subscribed).
        `tokens` maps ticket numbers to tokens."""
        expected = 0
        for (number, _), sent in calls.items():
            since = self.followed.get(tokens.get(number, ""))
            if since is not None and since + margin_ns <= sent:
                expected += 1
        return expected
