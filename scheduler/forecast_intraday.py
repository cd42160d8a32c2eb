"""The intraday update: the morning's actual arrivals rescale the rest of the day.

The ratio actual / forecast over the slots seen so far is noisy early in the day, so it
is shrunk toward 1 with ``HALL_PRIOR`` pseudo-arrivals: its weight F / (F + prior)
grows as more of the day's expected arrivals F have been seen (Poisson noise on the
ratio shrinks as 1/F). Each service's own ratio is shrunk the same way toward the
hall's, so a quiet service follows the hall rather than its last two tickets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scheduler.levels import slot_minutes

HALL_PRIOR = 25.0  # pseudo-arrivals: the day-level error we expect is about ±20 %
SERVICE_PRIOR = 10.0


@dataclass(frozen=True)
class IntradayActuals:
    """Arrivals so far today: every slot starting before ``until`` is complete."""

    until: str  # "HH:MM"
    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (service, slot)
    # The first slot the hall was seen open (e.g. its first arrival): earlier slots are
    # not evidence of a quiet morning, only of a hall not yet counting. None: from midnight.
    since: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))

    def seen(self, slot: str) -> bool:
        if self.since is not None and slot_minutes(slot) < slot_minutes(self.since):
            return False
        return slot_minutes(slot) < slot_minutes(self.until)


def update_with_actuals(
    expected: Mapping[tuple[str, str], float], actuals: IntradayActuals
) -> dict[tuple[str, str], float]:
    """Return the day's cells with seen slots replaced by actuals and the rest rescaled."""
    seen_forecast: dict[str, float] = {}
    seen_actual: dict[str, float] = {}
    for (service, slot), value in expected.items():
        if actuals.seen(slot):
            seen_forecast[service] = seen_forecast.get(service, 0.0) + value
            seen_actual[service] = seen_actual.get(service, 0.0) + actuals.counts.get(
                (service, slot), 0
            )
    hall = _shrunk_ratio(sum(seen_actual.values()), sum(seen_forecast.values()), HALL_PRIOR, 1.0)
    factors = {
        s: _shrunk_ratio(seen_actual[s], seen_forecast[s], SERVICE_PRIOR, hall)
        for s in seen_forecast
    }
    return {
        (service, slot): (
            float(actuals.counts.get((service, slot), 0))
            if actuals.seen(slot)
            else value * factors.get(service, hall)
        )
        for (service, slot), value in expected.items()
    }


def _shrunk_ratio(actual: float, forecast: float, prior: float, toward: float) -> float:
    return (actual + prior * toward) / (forecast + prior)
