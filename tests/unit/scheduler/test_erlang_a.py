"""Erlang A (M/M/c+M) against its own limits, a numerically solved chain and expm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from scheduler.erlang import erlang_a, erlang_b, erlang_c, erlang_c_wait, service_level
from tests.unit.scheduler.birth_death import solve_chain

CASES = [(0.9, 10.0, 10, 20.0), (1.5, 8.0, 10, 15.0), (0.3, 5.0, 1, 2.0), (12.0, 4.0, 55, 3.0)]


@pytest.mark.parametrize(("rate", "service", "servers"), [(0.9, 10.0, 10), (12.0, 4.0, 55)])
def test_endless_patience_gives_erlang_c(rate, service, servers):
    figures = erlang_a(rate, service, servers, mean_patience=1e9)
    assert figures.p_wait == pytest.approx(erlang_c(servers, rate * service), rel=1e-6)
    assert figures.mean_wait == pytest.approx(erlang_c_wait(rate, service, servers), rel=1e-6)
    assert figures.p_abandon < 1e-7
    for target in (0.0, 0.5, 2.0, 10.0):
        assert figures.service_level(target) == pytest.approx(
            service_level(rate, service, servers, target), abs=1e-6
        )


@pytest.mark.parametrize(("rate", "service", "servers"), [(0.9, 10.0, 10), (3.0, 2.0, 4)])
def test_no_patience_gives_the_loss_system(rate, service, servers):
    blocked = erlang_b(servers, rate * service)
    nearly_none = erlang_a(rate, service, servers, mean_patience=service * 1e-7)
    assert nearly_none.p_abandon == pytest.approx(blocked, rel=1e-5)
    assert nearly_none.p_wait == pytest.approx(blocked, rel=1e-5)
    none = erlang_a(rate, service, servers, mean_patience=0.0)
    assert none.p_abandon == pytest.approx(blocked)
    assert none.mean_wait == 0.0


@pytest.mark.parametrize(("rate", "service", "servers", "patience"), CASES)
def test_erlang_a_equals_the_numerically_solved_chain(rate, service, servers, patience):
    chain = solve_chain(rate, service, servers, abandon_rate=1 / patience, states=servers + 400)
    figures = erlang_a(rate, service, servers, patience)
    assert figures.p_wait == pytest.approx(chain.p_wait, rel=1e-8)
    assert figures.mean_wait == pytest.approx(chain.mean_queue / rate, rel=1e-8)
    # Flow balance: whoever does not abandon is served, so throughput = μ·E[busy].
    assert rate * (1 - figures.p_abandon) == pytest.approx(chain.mean_busy / service, rel=1e-8)


def served_within_by_expm(rate, service, servers, patience, target):
    """P(start service within target) from the tagged resident's absorbing chain, via expm."""
    chain = solve_chain(rate, service, servers, abandon_rate=1 / patience, states=servers + 300)
    ahead = chain.stationary[servers:]
    size = len(ahead) + 1  # positions 0..J ahead, plus an absorbing "served" state
    generator = np.zeros((size, size))
    capacity, theta = servers / service, 1 / patience
    for j in range(len(ahead)):
        up = capacity + j * theta
        generator[j, j - 1 if j > 0 else size - 1] = up
        generator[j, j] = -(up + theta)
    transient = expm(generator * target)
    return 1 - chain.p_wait + float(ahead @ transient[: len(ahead), size - 1])


@pytest.mark.parametrize(("rate", "service", "servers", "patience"), CASES)
@pytest.mark.parametrize("target", [0.5, 3.0, 12.0])
def test_service_level_matches_the_matrix_exponential(rate, service, servers, patience, target):
    figures = erlang_a(rate, service, servers, patience)
    assert figures.service_level(target) == pytest.approx(
        served_within_by_expm(rate, service, servers, patience, target), abs=1e-9
    )


def test_overload_is_finite_and_sheds_at_least_the_excess():
    figures = erlang_a(arrival_rate=2.0, mean_service=10.0, servers=10, mean_patience=5.0)
    assert math.isfinite(figures.mean_wait)
    assert figures.p_abandon >= 1 - 10 / 20 - 1e-12
    assert figures.mean_wait < 5.0  # nobody waits longer than their patience


def test_nobody_arriving_means_nobody_waits():
    figures = erlang_a(0.0, 10.0, 3, 5.0)
    assert (figures.mean_wait, figures.p_wait, figures.p_abandon) == (0.0, 0.0, 0.0)
    assert figures.service_level(0.0) == 1.0


def test_endless_patience_in_overload_waits_forever():
    figures = erlang_a(1.0, 10.0, 10, math.inf)
    assert figures.mean_wait == math.inf
    assert figures.service_level(5.0) == 0.0


def test_large_halls_do_not_overflow():
    figures = erlang_a(40.0, 10.0, 500, 5.0)  # 400 Erlangs on 500 windows
    assert 0 <= figures.p_wait < 1e-3
    assert figures.service_level(1.0) > 0.999


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(min_value=0.05, max_value=3.0),
    servers=st.integers(min_value=1, max_value=30),
    patience=st.floats(min_value=0.5, max_value=60.0),
    target=st.floats(min_value=0.0, max_value=10.0),
    later=st.floats(min_value=0.0, max_value=10.0),
)
def test_erlang_a_figures_are_probabilities_and_grow_with_the_target(
    rate, servers, patience, target, later
):
    figures = erlang_a(rate, 5.0, servers, patience)
    assert 0 <= figures.p_abandon <= figures.p_wait <= 1
    assert 0 <= figures.service_level(target) <= figures.service_level(target + later) + 1e-12
    assert figures.service_level(target + later) <= 1
