"""The simulator's fast path is the core: the same day through `HallqApplication` (store,
request ids, clock and all) gives exactly the same events as applying the commands to
the hall's day directly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from queue_core.hall_day import HallDay
from queue_core.vocabulary import TicketStatus
from simulations.runner import simulate_day
from simulations.scenario import Scenario
from tests.unit.simulations.conftest import residents_of


def plain(value: Any) -> Any:
    """A stored value as it compares across the store: instants in UTC, sequences as lists."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def essence(events: list[Any]) -> list[tuple[Any, ...]]:
    """What an event says, without the library's own wall-clock timestamp."""
    skip = {"timestamp", "originator_id"}
    return [
        (type(e).__name__, sorted((k, plain(v)) for k, v in vars(e).items() if k not in skip))
        for e in events
    ]


@pytest.mark.parametrize("policy", ["dedicated", "fallback"])
def test_the_application_and_the_direct_path_record_the_same_day(
    small: Scenario, policy: str
) -> None:
    [(day, residents)] = residents_of(small, 1, seed=11)
    direct, _ = simulate_day(small, policy, day, residents)
    through_app, _ = simulate_day(small, policy, day, residents, via_application=True)
    expected, found = essence(direct.events()), essence(through_app.events())
    assert len(found) > 250  # a real day: every kind of command, not a trivial one
    assert found == expected


def test_a_simulated_day_uses_every_kind_of_resident_event(small: Scenario) -> None:
    [(day, residents)] = residents_of(small, 1, seed=11)
    hall, _ = simulate_day(small, "fallback", day, residents)
    kinds = {type(e).__name__ for e in hall.events()}
    expected = {
        "TicketIssued", "TicketCalled", "TicketRecalled", "TicketMarkedNoShow", "ServiceStarted",
        "ServiceFinished", "TicketTransferred", "TicketParked", "TicketReturned",
        "TicketCancelled", "WindowOpened", "WindowPaused", "WindowResumed", "WindowClosed",
    }  # fmt: skip
    assert expected <= kinds


def test_the_day_ends_with_nobody_left_in_the_hall(small: Scenario) -> None:
    for day, residents in residents_of(small, 3, seed=5):
        hall, record = simulate_day(small, "dedicated", day, residents)
        final: HallDay = hall.current_day()
        left = {t.status for t in final.tickets.values()}
        assert left <= {TicketStatus.NO_SHOW}, f"tickets still in the hall on {day}: {left}"
        assert all(w.status.value == "closed" for w in final.windows.values())
        served = sum(len(w) for w in record.waits.values())
        gave_up = sum(len(w) for w in record.abandon_waits.values())
        assert sum(record.issued.values()) == len(residents)
        # Every resident was called, gave up, or was sent home at closing (some of those
        # sent home had been called before: parked past their deadline).
        assert (
            served + gave_up <= len(residents) <= served + gave_up + sum(record.unserved.values())
        )
