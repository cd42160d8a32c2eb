"""The load test's plan: steps, kiosks enough for the server's per-address limit, and a
fair share of tickets for every window."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulations.loadtest_plan import KIOSK_RATE_PER_S, LoadPlan, parse_steps, ticket_service

SERVICES = st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=4, unique=True)
HALLS = st.dictionaries(st.integers(1, 30), SERVICES.map(tuple), min_size=1, max_size=8)


def test_steps_are_read_as_multipliers() -> None:
    assert parse_steps("1,2,4,8") == (1.0, 2.0, 4.0, 8.0)
    assert parse_steps(" 0.5, 3 ,") == (0.5, 3.0)


@pytest.mark.parametrize("text", ["", "1,x", "1,-2", "0", "nan", "1,inf"])
def test_steps_that_are_not_positive_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--steps"):
        parse_steps(text)


@given(st.floats(0.1, 50), st.lists(st.floats(0.25, 32), min_size=1, max_size=6))
def test_no_kiosk_needs_to_issue_faster_than_its_share(rate: float, steps: list[float]) -> None:
    plan = LoadPlan(url="http://127.0.0.1:1", rate_per_s=rate, steps=tuple(steps))
    peak = max(plan.rate(k) for k in range(len(steps)))
    assert peak / plan.kiosks() <= KIOSK_RATE_PER_S + 1e-9


@given(HALLS, st.integers(1, 5))
def test_every_window_gets_an_equal_share_of_its_own_services(
    services: dict[int, tuple[str, ...]], rounds: int
) -> None:
    tickets = [ticket_service(services, k) for k in range(rounds * len(services))]
    windows = sorted(services)
    per_window = Counter(windows[k % len(windows)] for k in range(len(tickets)))
    assert set(per_window.values()) == {rounds}
    for k, service in enumerate(tickets):
        assert service in services[windows[k % len(windows)]]


def test_a_window_with_several_services_asks_for_each_in_turn() -> None:
    services = {1: ("A",), 2: ("B", "C")}
    assert [ticket_service(services, k) for k in range(6)] == ["A", "B", "A", "C", "A", "B"]


def test_the_backlog_covers_every_phone_and_every_window() -> None:
    plan = LoadPlan(url="http://127.0.0.1:1", phones=3)
    assert plan.backlog(windows=20) == 100
    assert LoadPlan(url="http://127.0.0.1:1", phones=500).backlog(windows=20) == 500
