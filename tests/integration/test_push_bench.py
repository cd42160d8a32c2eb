"""The push benchmark end to end, tiny: real `hallq serve`, real baseline, real clients."""

from __future__ import annotations

import math
import subprocess

import pytest

from bench.procs import ROOT
from bench.push import TARGETS, Scenario, measure
from bench.push_ab import compare

KEYS = (
    "call_to_display_p50_ms",
    "call_to_display_p99_ms",
    "call_to_phone_p99_ms",
    "deliveries_per_s",
    "baseline_deliveries_per_s",
    "cpu_per_delivery_ratio",
    "phones",
    "displays",
    "calls",
    "duration_s",
    "server_cpu_s",
    "baseline_cpu_s",
    "errors",
    "closed_clients",
    "connect_failed",
    "commands_only_cpu_ms_per_call",
    "push_cpu_per_delivery_ratio",
    "commands_cpu_per_delivery_ratio",
    "http_floor_cpu_per_delivery_ratio",
)


@pytest.mark.slow
def test_a_tiny_push_benchmark_reports_every_figure() -> None:
    figures = measure(Scenario(phones=50, displays=5, windows=2, calls_per_s=4, duration_s=3))

    assert set(KEYS) <= set(figures)
    assert set(TARGETS) <= set(figures)
    for key in ("call_to_display_p50_ms", "call_to_display_p99_ms", "call_to_phone_p99_ms"):
        assert 0 < figures[key] < 5_000, key
    assert figures["deliveries_per_s"] > 0
    assert figures["baseline_deliveries_per_s"] > 0
    assert (
        math.isfinite(figures["cpu_per_delivery_ratio"]) and figures["cpu_per_delivery_ratio"] > 0
    )
    assert figures["calls"] >= 8  # 4 calls/s for 3 s
    assert figures["errors"] == figures["connect_failed"] == figures["closed_clients"] == 0
    assert figures["display_calls_missed"] == figures["phone_calls_missed"] == 0
    # The same calls again with one screen and no phone: the commands' own cost, which
    # splits the ratio into the fan-out's part and the commands' part.
    assert figures["commands_only_calls"] >= 8
    assert figures["commands_only_errors"] == 0
    assert 0 < figures["commands_only_cpu_ms_per_call"] < figures["server_cpu_ms_per_call"] * 5
    assert math.isclose(
        figures["push_cpu_per_delivery_ratio"] + figures["commands_cpu_per_delivery_ratio"],
        figures["cpu_per_delivery_ratio"],
    )
    # The same drivers against a bare aiohttp app: every call answered, for less CPU
    # than hallq's own commands (which do the same HTTP and much more).
    assert figures["http_floor_calls"] >= 8
    assert figures["http_floor_errors"] == 0
    # (CPU is read in 10 ms ticks: a tiny run's floor may round down to none.)
    assert 0 <= figures["http_floor_cpu_ms_per_call"] < figures["commands_only_cpu_ms_per_call"]
    assert figures["http_floor_cpu_per_delivery_ratio"] < figures["commands_cpu_per_delivery_ratio"]
    # The baseline replays what hallq's clients received, to as many clients.
    assert (
        abs(figures["baseline_deliveries"] - figures["deliveries"]) <= figures["deliveries"] / 100
    )


@pytest.mark.slow
def test_the_ab_comparison_runs_both_checkouts_side_by_side_and_cleans_up() -> None:
    """`bench.push_ab` against HEAD: two servers (this checkout and a worktree of HEAD)
    measured in the same seconds, each call answered, and the worktree removed after."""
    before = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True, check=True
    ).stdout
    result = compare("HEAD", 1, Scenario(phones=40, displays=4, windows=2, duration_s=2))
    (figures,) = result["rounds"]
    assert set(figures) == {"this", "ref"}
    assert all(0 < ms < 1_000 for ms in figures.values())
    assert result["median_ratio"] == figures["this"] / figures["ref"]
    after = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True, check=True
    ).stdout
    assert after == before
