"""Forecast error measures: WAPE, MASE, and the Poisson noise floor of WAPE.

Counts of residents are Poisson at best, so even a forecast that knows each cell's true
mean λ misses by E|X − λ| per cell. Summed over cells and divided by the arrivals, that
is the WAPE no model can beat at that count level: the noise floor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def wape(pairs: Iterable[tuple[float, float]]) -> float:
    """Return Σ|actual − forecast| / Σ actual over (actual, forecast) pairs; NaN if no arrivals."""
    error = 0.0
    total = 0.0
    for actual, predicted in pairs:
        error += abs(actual - predicted)
        total += actual
    return error / total if total else math.nan


def mean_absolute_error(pairs: Iterable[tuple[float, float]]) -> float:
    """Return the mean of |actual − forecast|; NaN for no pairs."""
    errors = [abs(actual - predicted) for actual, predicted in pairs]
    return math.fsum(errors) / len(errors) if errors else math.nan


def mase(pairs: Iterable[tuple[float, float]], scale: float) -> float:
    """Return the forecast's mean absolute error divided by ``scale``.

    ``scale`` is the in-sample mean absolute error of the seasonal-naive forecast, so
    MASE < 1 means the forecast beats "same slot last week" on the data it learnt from.
    """
    return mean_absolute_error(pairs) / scale if scale > 0 else math.nan


def poisson_mean_abs_deviation(mean: float) -> float:
    """Return E|X − λ| for X ~ Poisson(λ), exactly.

    Summing |k − λ|·pmf(k) telescopes to 2·λ^(m+1)·e^(−λ) / m! with m = ⌊λ⌋ (computed in
    log space so large λ does not overflow).
    """
    if mean < 0:
        raise ValueError(f"a Poisson mean must be >= 0, got {mean!r}")
    if mean == 0:
        return 0.0
    m = math.floor(mean)
    return 2.0 * math.exp((m + 1) * math.log(mean) - mean - math.lgamma(m + 1))


def noise_floor_wape(means: Iterable[float]) -> float:
    """Return Σ E|Poisson(λ) − λ| / Σ λ over the cells' means: the best WAPE possible."""
    deviation = 0.0
    total = 0.0
    for mean in means:
        deviation += poisson_mean_abs_deviation(mean)
        total += mean
    return deviation / total if total else math.nan
