"""Erlang B/C, priority lanes, Allen–Cunneen and staffing against closed forms and tables."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.erlang import (
    allen_cunneen_wait,
    erlang_b,
    erlang_c,
    erlang_c_wait,
    expected_wait_table,
    priority_waits,
    service_level,
    square_root_staffing,
    staff_for_service_level,
)
from tests.unit.scheduler.birth_death import solve_chain

loads = st.floats(min_value=0.01, max_value=400.0, allow_nan=False)
server_counts = st.integers(min_value=1, max_value=500)


def direct_erlang_b(servers: int, load: float) -> float:
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    return terms[-1] / sum(terms)


# --- closed forms -------------------------------------------------------------


@pytest.mark.parametrize(("arrival_rate", "mean_service"), [(0.5, 1.0), (3.0, 0.2), (0.9, 1.0)])
def test_single_window_wait_is_rho_over_mu_minus_lambda(arrival_rate, mean_service):
    mu = 1 / mean_service
    rho = arrival_rate / mu
    assert erlang_c(1, rho) == pytest.approx(rho)
    assert erlang_c_wait(arrival_rate, mean_service, 1) == pytest.approx(rho / (mu - arrival_rate))


@pytest.mark.parametrize(("arrival_rate", "mean_service"), [(1.0, 1.0), (0.3, 5.0), (7.0, 0.25)])
def test_two_windows_match_the_mm2_closed_form(arrival_rate, mean_service):
    mu = 1 / mean_service
    rho = arrival_rate / (2 * mu)
    assert erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))
    assert erlang_c_wait(arrival_rate, mean_service, 2) == pytest.approx(
        rho**2 / (mu * (1 - rho**2))
    )


@pytest.mark.parametrize("servers", range(0, 21))
@pytest.mark.parametrize("load", [0.1, 1.0, 4.5, 12.0, 30.0])
def test_erlang_b_recursion_equals_the_factorial_formula(servers, load):
    assert erlang_b(servers, load) == pytest.approx(direct_erlang_b(servers, load), rel=1e-12)


def test_erlang_b_stays_finite_at_500_windows_and_400_erlangs():
    log_terms = [k * math.log(400.0) - math.lgamma(k + 1) for k in range(501)]
    peak = max(log_terms)
    expected = math.exp(log_terms[-1] - peak) / math.fsum(math.exp(t - peak) for t in log_terms)
    assert erlang_b(500, 400.0) == pytest.approx(expected, rel=1e-9)
    assert 0 < erlang_c(500, 400.0) < 1


# --- published tables ---------------------------------------------------------


def test_erlang_b_matches_the_westbay_table_for_15_lines():
    # Westbay Engineers' Erlang calculator manual, "How much traffic can a trunk group
    # handle?" (erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm):
    # 15 lines at 1 % blocking carry 8.108 Erlangs.
    assert erlang_b(15, 8.108) == pytest.approx(0.01, abs=5e-5)


def test_erlang_c_matches_the_published_20_erlang_example():
    # Erlang C calculator example by V. Ruiz (personal.telefonica.terra.es/web/vr/erlang/
    # eng/mcerlc.htm): 600 calls/hour of 120 s = 20 Erlangs; a 15 % delay target needs 26
    # circuits, average delay about 3 s per call; 30 circuits give 2.5 %, and 30 circuits
    # at 15 % carry 23.6 Erlangs.
    assert erlang_c(25, 20.0) > 0.15 >= erlang_c(26, 20.0)
    assert erlang_c_wait(600 / 3600, 120.0, 26) == pytest.approx(3.0, abs=0.15)
    assert erlang_c(30, 20.0) == pytest.approx(0.025, abs=5e-4)
    assert erlang_c(30, 23.6) == pytest.approx(0.15, abs=3e-3)


@pytest.mark.parametrize(
    ("arrival_rate", "mean_service", "servers"),
    [(600 / 3600, 120.0, 26), (12.0, 4.0, 55), (0.9, 10.0, 10), (2.0, 1.0, 3)],
)
def test_erlang_c_equals_the_numerically_solved_birth_death_chain(
    arrival_rate, mean_service, servers
):
    chain = solve_chain(arrival_rate, mean_service, servers, states=servers + 1500)
    assert erlang_c(servers, arrival_rate * mean_service) == pytest.approx(chain.p_wait, rel=1e-8)
    assert erlang_c_wait(arrival_rate, mean_service, servers) == pytest.approx(
        chain.mean_queue / arrival_rate, rel=1e-8
    )


# --- edges --------------------------------------------------------------------


def test_waits_are_infinite_when_unstable_and_zero_without_arrivals():
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c_wait(1.0, 10.0, 10) == math.inf
    assert erlang_c_wait(1.0, 1.0, 0) == math.inf
    assert erlang_c_wait(0.0, 10.0, 0) == 0.0
    assert service_level(1.0, 10.0, 9, 5.0) == 0.0
    assert service_level(0.0, 10.0, 0, 5.0) == 1.0


@pytest.mark.parametrize("bad", [-1.0, math.nan])
def test_negative_or_nan_inputs_are_refused(bad):
    with pytest.raises(ValueError):
        erlang_c_wait(bad, 1.0, 2)
    with pytest.raises(ValueError):
        erlang_b(2, bad)


# --- priority lanes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("rates", "mean_service", "servers"),
    [([0.1, 0.3, 0.5], 10.0, 10), ([1.0, 2.0], 1.0, 4), ([0.05, 0.05, 0.7], 8.0, 7)],
)
def test_priority_waits_conserve_the_fcfs_mean_wait(rates, mean_service, servers):
    waits = priority_waits(rates, mean_service, servers)
    mean = sum(rate * wait for rate, wait in zip(rates, waits, strict=True)) / sum(rates)
    assert mean == pytest.approx(erlang_c_wait(sum(rates), mean_service, servers), rel=1e-12)
    assert waits == sorted(waits)  # the green lane never waits longer than blue


def test_a_single_priority_class_is_plain_erlang_c():
    assert priority_waits([0.8], 10.0, 9) == [pytest.approx(erlang_c_wait(0.8, 10.0, 9))]


def test_overload_only_starves_the_lowest_classes():
    waits = priority_waits([0.2, 0.9, 0.6], 10.0, 10)
    assert math.isfinite(waits[0])
    assert waits[1] == math.inf and waits[2] == math.inf
    # With every server always busy, a green arrival waits for the next completion
    # (1 / cμ = 1) plus the green queue ahead of it.
    assert waits[0] == pytest.approx(1.0 / (1 - 0.2))


# --- Allen–Cunneen and staffing ----------------------------------------------


def test_allen_cunneen_scales_erlang_c_by_the_variability():
    base = erlang_c_wait(0.8, 10.0, 9)
    assert allen_cunneen_wait(0.8, 10.0, 9) == pytest.approx(base)
    assert allen_cunneen_wait(0.8, 10.0, 9, cs2=0.0) == pytest.approx(base / 2)
    assert allen_cunneen_wait(0.8, 10.0, 9, ca2=2.0, cs2=2.0) == pytest.approx(2 * base)
    assert allen_cunneen_wait(1.0, 10.0, 9) == math.inf


def test_expected_wait_table_is_allen_cunneen_per_window_count():
    table = expected_wait_table(0.9, 10.0, 15, cs2=0.5)
    assert len(table) == 16
    for servers, wait in enumerate(table):
        assert wait == pytest.approx(allen_cunneen_wait(0.9, 10.0, servers, cs2=0.5))
    assert table[:10] == (math.inf,) * 10
    assert expected_wait_table(0.0, 10.0, 3) == (0.0, 0.0, 0.0, 0.0)


def test_square_root_staffing_adds_beta_root_load():
    assert square_root_staffing(100.0, 1.0) == 110
    assert square_root_staffing(100.0, 0.5) == 105
    assert square_root_staffing(0.0, 1.0) == 0


@pytest.mark.parametrize(
    ("rate", "service", "target", "level"),
    [(100 / 1800, 180, 20, 0.8), (12.0, 4.0, 0.25, 0.9), (0.1, 8.0, 5.0, 0.5)],
)
def test_staffing_for_service_level_is_the_smallest_count_reaching_it(rate, service, target, level):
    servers = staff_for_service_level(rate, service, target, level)
    assert service_level(rate, service, servers, target) >= level
    assert service_level(rate, service, servers - 1, target) < level


# --- properties ---------------------------------------------------------------


@given(servers=server_counts, load=loads)
def test_probabilities_lie_in_the_unit_interval(servers, load):
    assert 0.0 <= erlang_b(servers, load) <= erlang_c(servers, load) <= 1.0


@given(servers=server_counts, load=loads)
def test_more_windows_never_hurt(servers, load):
    assert erlang_b(servers + 1, load) <= erlang_b(servers, load)
    assert erlang_c(servers + 1, load) <= erlang_c(servers, load)
    assert erlang_c_wait(load, 1.0, servers + 1) <= erlang_c_wait(load, 1.0, servers)


@given(servers=server_counts, load=loads, extra=st.floats(min_value=0.001, max_value=5.0))
def test_more_load_never_helps(servers, load, extra):
    assert erlang_b(servers, load + extra) >= erlang_b(servers, load)
    assert erlang_c(servers, load + extra) >= erlang_c(servers, load)


@given(
    servers=server_counts,
    load=loads,
    target=st.floats(min_value=0.0, max_value=10.0),
    later=st.floats(min_value=0.0, max_value=10.0),
)
def test_service_level_grows_with_the_target(servers, load, target, later):
    early = service_level(load, 1.0, servers, target)
    late = service_level(load, 1.0, servers, target + later)
    assert 0.0 <= early <= late <= 1.0
