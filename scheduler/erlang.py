"""Queueing formulas for staffing windows: Erlang B/C, priority lanes, Allen–Cunneen.

Every function is pure and uses only the standard library. Times are in any one
consistent unit: ``mean_service`` is the mean handling time and ``arrival_rate``
counts arrivals per that same unit, so ``offered_load = arrival_rate * mean_service``
(in Erlangs). Erlang B is computed with its stable recurrence, never with
factorials, so 500 servers at 400 Erlangs is fine.

Erlang A (M/M/c+M, with abandonment) lives in ``scheduler.erlang_a`` and is
re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from scheduler.erlang_a import ErlangA, erlang_a

__all__ = [
    "ErlangA",
    "allen_cunneen_wait",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_wait",
    "expected_wait_table",
    "priority_waits",
    "service_level",
    "square_root_staffing",
    "staff_for_service_level",
]


def _require_non_negative(**values: float) -> None:
    for name, value in values.items():
        if not value >= 0:  # written this way so NaN is refused too
            raise ValueError(f"{name} must be >= 0, got {value!r}")


def _blocking_sequence(offered_load: float) -> Iterator[float]:
    """Yield Erlang B for 0, 1, 2, … servers (B(0) = 1, B(n) = aB/(n + aB))."""
    blocking = 1.0
    servers = 0
    while True:
        yield blocking
        servers += 1
        blocking = offered_load * blocking / (servers + offered_load * blocking)


def erlang_b(servers: int, offered_load: float) -> float:
    """Return the probability that an arrival finds all ``servers`` busy and is lost (M/M/c/c)."""
    _require_non_negative(servers=servers, offered_load=offered_load)
    for count, blocking in enumerate(_blocking_sequence(offered_load)):
        if count == servers:
            return blocking
    raise AssertionError("unreachable")  # pragma: no cover


def _erlang_c_from_b(servers: int, offered_load: float, blocking: float) -> float:
    if offered_load >= servers:
        return 1.0
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def erlang_c(servers: int, offered_load: float) -> float:
    """Return the probability that an arrival has to wait (M/M/c); 1.0 when load >= servers."""
    _require_non_negative(servers=servers, offered_load=offered_load)
    if offered_load >= servers:
        return 1.0
    return _erlang_c_from_b(servers, offered_load, erlang_b(servers, offered_load))


def _wait_from_c(prob_wait: float, mean_service: float, servers: int, load: float) -> float:
    if load >= servers:
        return math.inf
    return prob_wait * mean_service / (servers - load)


def erlang_c_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """Return the mean wait in queue of all arrivals (M/M/c).

    0.0 when nobody arrives; ``math.inf`` when the queue is unstable (load >= servers,
    which includes zero servers).
    """
    _require_non_negative(arrival_rate=arrival_rate, mean_service=mean_service)
    if arrival_rate == 0:
        return 0.0
    load = arrival_rate * mean_service
    return _wait_from_c(erlang_c(servers, load), mean_service, servers, load)


def service_level(
    arrival_rate: float, mean_service: float, servers: int, target_wait: float
) -> float:
    """Return P(wait <= target_wait) for M/M/c: 1 - C·exp(-(c - a)·t / s); 0.0 when unstable."""
    _require_non_negative(
        arrival_rate=arrival_rate, mean_service=mean_service, target_wait=target_wait
    )
    if arrival_rate == 0:
        return 1.0
    load = arrival_rate * mean_service
    if load >= servers:
        return 0.0
    if mean_service == 0:
        return 1.0
    decay = math.exp(-(servers - load) * target_wait / mean_service)
    return max(0.0, 1.0 - erlang_c(servers, load) * decay)


def priority_waits(
    arrival_rates: Sequence[float], mean_service: float, servers: int
) -> list[float]:
    """Return the mean queue wait per class of a non-preemptive priority M/M/c.

    Classes are ordered highest priority first and share one exponential handling
    time. Cobham: W_k = W0 / ((1 - σ_{k-1})(1 - σ_k)) with W0 = C(c, a) / (c·μ)
    and σ_k the load of classes 1..k per server. A class whose cumulative load
    reaches the servers waits ``math.inf``; higher classes still get finite waits.
    """
    _require_non_negative(mean_service=mean_service, servers=servers)
    for rate in arrival_rates:
        _require_non_negative(arrival_rate=rate)
    if servers == 0:
        return [0.0 if rate == 0 else math.inf for rate in arrival_rates]
    capacity = servers / mean_service if mean_service > 0 else math.inf
    residual = erlang_c(servers, sum(arrival_rates) * mean_service) / capacity
    waits: list[float] = []
    above = 0.0
    for rate in arrival_rates:
        upto = above + rate / capacity
        waits.append(residual / ((1 - above) * (1 - upto)) if upto < 1 else math.inf)
        above = upto
    return waits


def allen_cunneen_wait(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    ca2: float = 1.0,
    cs2: float = 1.0,
) -> float:
    """Return the approximate G/G/c mean queue wait: Erlang C wait × (ca² + cs²) / 2.

    ``ca2`` and ``cs2`` are the squared coefficients of variation of inter-arrival
    and handling times (1.0 each gives back Erlang C exactly).
    """
    _require_non_negative(ca2=ca2, cs2=cs2)
    wait = erlang_c_wait(arrival_rate, mean_service, servers)
    return wait if math.isinf(wait) else wait * (ca2 + cs2) / 2


def square_root_staffing(offered_load: float, beta: float) -> int:
    """Return ⌈a + β·√a⌉ servers (Halfin–Whitt square-root staffing rule)."""
    _require_non_negative(offered_load=offered_load)
    return max(0, math.ceil(offered_load + beta * math.sqrt(offered_load)))


def staff_for_service_level(
    arrival_rate: float, mean_service: float, target_wait: float, level: float
) -> int:
    """Return the smallest number of servers whose M/M/c service level reaches ``level``.

    ``level`` must lie in [0, 1): a finite target can never be met with certainty.
    """
    if not 0 <= level < 1:
        raise ValueError(f"level must be in [0, 1), got {level!r}")
    servers = math.floor(arrival_rate * mean_service)
    while service_level(arrival_rate, mean_service, servers, target_wait) < level:
        servers += 1
    return servers


def expected_wait_table(
    arrival_rate: float, mean_service: float, max_servers: int, cs2: float = 1.0
) -> tuple[float, ...]:
    """Return the Allen–Cunneen mean wait for 0..max_servers windows (Poisson arrivals).

    Index n holds the wait with n windows; ``math.inf`` where n windows cannot keep up.
    One pass of the Erlang B recurrence serves the whole table.
    """
    _require_non_negative(
        arrival_rate=arrival_rate, mean_service=mean_service, max_servers=max_servers, cs2=cs2
    )
    if arrival_rate == 0:
        return (0.0,) * (max_servers + 1)
    load = arrival_rate * mean_service
    factor = (1.0 + cs2) / 2
    table: list[float] = []
    for servers, blocking in zip(range(max_servers + 1), _blocking_sequence(load), strict=False):
        prob_wait = _erlang_c_from_b(servers, load, blocking)
        table.append(_wait_from_c(prob_wait, mean_service, servers, load) * factor)
    return tuple(table)
