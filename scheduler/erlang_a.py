"""Erlang A: the M/M/c+M queue, where waiting residents give up after an exponential patience.

Computed exactly from the birth–death chain (birth λ; death min(n, c)·μ + (n − c)⁺·θ),
truncated once the tail is below 1e-17 of the chain's largest term. Working in
log space keeps 500 servers at 400 Erlangs from overflowing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_TAIL_LOG = -40.0  # e^-40 ≈ 4e-18: states further out cannot change any figure we report
_MAX_STATES = 2_000_000
_EPSILON = 1e-15


@dataclass(frozen=True)
class ErlangA:
    """Steady-state figures of M/M/c+M, all per arrival.

    ``mean_wait`` is the mean time in queue of every arrival (served or not);
    ``p_wait`` the probability of finding all windows busy; ``p_abandon`` the
    probability of leaving before service. ``service_level(target)`` gives the
    probability of *starting service* within ``target`` (abandoners count as misses).
    """

    mean_wait: float
    p_wait: float
    p_abandon: float
    servers: int = field(repr=False)
    service_rate: float = field(repr=False)  # μ per window
    abandon_rate: float = field(repr=False)  # θ = 1 / mean patience
    queue_at_arrival: tuple[float, ...] = field(repr=False)  # P(all busy, j waiting ahead)

    def service_level(self, target: float) -> float:
        """Return P(an arrival starts service within ``target``)."""
        if not target >= 0:
            raise ValueError(f"target must be >= 0, got {target!r}")
        served = _served_within(
            self.queue_at_arrival, self.servers * self.service_rate, self.abandon_rate, target
        )
        return min(1.0, max(0.0, 1.0 - self.p_wait + served))


def erlang_a(
    arrival_rate: float, mean_service: float, servers: int, mean_patience: float
) -> ErlangA:
    """Return the exact Erlang A figures for ``servers`` windows.

    ``mean_patience`` may be ``math.inf`` (no abandonment): then the answer is
    Erlang C's, with an infinite wait when the load reaches the servers.
    """
    for name, value in (
        ("arrival_rate", arrival_rate),
        ("mean_service", mean_service),
        ("servers", servers),
        ("mean_patience", mean_patience),
    ):
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")
    if arrival_rate == 0 or (servers > 0 and mean_service == 0):
        return ErlangA(0.0, 0.0 if servers > 0 else 1.0, 0.0, servers, math.inf, 0.0, ())
    mu = 1.0 / mean_service if mean_service > 0 else 0.0
    theta = 1.0 / mean_patience if mean_patience > 0 else math.inf
    if math.isinf(theta):  # no patience at all: M/M/c/c, waiters leave at once
        return _loss_system(arrival_rate, mu, servers)
    if theta == 0 and arrival_rate >= servers * mu:
        return ErlangA(math.inf, 1.0, 0.0, servers, mu, 0.0, ())
    return _from_chain(
        _stationary(arrival_rate, mu, servers, theta), arrival_rate, mu, servers, theta
    )


def _loss_system(arrival_rate: float, mu: float, servers: int) -> ErlangA:
    from scheduler.erlang import erlang_b  # local: erlang re-exports this module

    blocked = erlang_b(servers, arrival_rate / mu) if mu > 0 else 1.0
    return ErlangA(0.0, blocked, blocked, servers, mu, math.inf, ())


def _stationary(arrival_rate: float, mu: float, servers: int, theta: float) -> list[float]:
    """Return the normalised stationary probabilities p_0, p_1, … of the truncated chain."""
    log_terms = [0.0]
    peak = 0.0
    log_rate = math.log(arrival_rate)
    for n in range(1, _MAX_STATES):
        death = min(n, servers) * mu + max(n - servers, 0) * theta
        log_terms.append(log_terms[-1] + log_rate - math.log(death))
        peak = max(peak, log_terms[-1])
        if n >= servers and arrival_rate < death and log_terms[-1] < peak + _TAIL_LOG:
            break
    else:
        raise ValueError("patience too long for the load: the chain does not settle")
    weights = [math.exp(term - peak) for term in log_terms]
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def _from_chain(
    probs: list[float], arrival_rate: float, mu: float, servers: int, theta: float
) -> ErlangA:
    ahead = tuple(probs[servers:])
    mean_queue = math.fsum(j * p for j, p in enumerate(ahead))
    return ErlangA(
        mean_wait=mean_queue / arrival_rate,
        p_wait=min(1.0, math.fsum(ahead)),
        p_abandon=min(1.0, theta * mean_queue / arrival_rate),
        servers=servers,
        service_rate=mu,
        abandon_rate=theta,
        queue_at_arrival=ahead,
    )


def _served_within(ahead: tuple[float, ...], capacity: float, theta: float, target: float) -> float:
    """Return P(all busy on arrival and service starts within ``target``), by uniformization.

    A tagged arrival with j residents ahead moves up at rate c·μ + j·θ and abandons
    at rate θ. Uniformizing at Λ turns this into a discrete chain whose step count by
    ``target`` is Poisson(Λ·target); we add up the mass served at step m weighted
    by P(at least m steps).
    """
    if not ahead or target == 0:
        return 0.0
    uniform = capacity + len(ahead) * theta
    if uniform == 0:
        return 0.0
    mean_steps = uniform * target
    waiting = list(ahead)
    served = 0.0
    at_least = 1.0  # P(N >= m) for N ~ Poisson(mean_steps)
    for steps in range(1, _MAX_STATES):
        at_least -= math.exp(_log_poisson(steps - 1, mean_steps))
        if at_least < _EPSILON or math.fsum(waiting) < _EPSILON:
            break
        served += at_least * _step(waiting, capacity, theta, uniform)
    return served


def _step(waiting: list[float], capacity: float, theta: float, uniform: float) -> float:
    """Advance the uniformized chain one step in place; return the mass entering service."""
    moves = [p * (capacity + j * theta) / uniform for j, p in enumerate(waiting)]
    for j, p in enumerate(waiting):
        waiting[j] = p * (1.0 - (capacity + (j + 1) * theta) / uniform)
        if j + 1 < len(waiting):
            waiting[j] += moves[j + 1]
    return moves[0]


def _log_poisson(count: int, mean: float) -> float:
    return -mean + count * math.log(mean) - math.lgamma(count + 1)
