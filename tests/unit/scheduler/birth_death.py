"""An independent numerical check for the queueing formulas: solve the chain's generator.

The production code uses recurrences and closed forms; here we build the truncated
generator matrix Q of the birth–death chain and solve πQ = 0 with numpy's linear
algebra, so the two share nothing but the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ChainFigures:
    p_wait: float  # P(N >= servers), by PASTA the arriving resident's chance to queue
    mean_queue: float  # E[(N - servers)+]
    mean_busy: float  # E[min(N, servers)]
    stationary: np.ndarray


def solve_chain(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    *,
    abandon_rate: float = 0.0,
    capacity: int | None = None,
    states: int = 600,
) -> ChainFigures:
    """Solve M/M/c(+M)(/K) numerically; ``capacity`` caps the number in system."""
    size = (capacity if capacity is not None else states) + 1
    mu = 1.0 / mean_service
    generator = np.zeros((size, size))
    for n in range(size):
        if n + 1 < size:
            generator[n, n + 1] = arrival_rate
        if n > 0:
            generator[n, n - 1] = min(n, servers) * mu + max(n - servers, 0) * abandon_rate
        generator[n, n] = -generator[n].sum()
    # Replace one balance equation by the normalisation Σπ = 1.
    system = generator.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    n = np.arange(size)
    return ChainFigures(
        p_wait=float(pi[servers:].sum()),
        mean_queue=float((np.maximum(n - servers, 0) * pi).sum()),
        mean_busy=float((np.minimum(n, servers) * pi).sum()),
        stationary=pi,
    )
