"""`hallq loadtest` against a real `hallq serve`: a tiny ramp, end to end."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from simulations.loadtest_cli import add_loadtest_parser
from simulations.loadtest_result import KEYS, STEP_KEYS
from tests.e2e.conftest import STAFF, LiveServer


def loadtest(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hallq")
    add_loadtest_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["loadtest", *argv])
    return int(args.func(args))


@pytest.mark.slow
def test_a_tiny_load_test_reaches_screens_and_phones_and_reports_every_figure(
    live_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = loadtest(
        "--url", live_server.url, "--phones", "20", "--screens", "3", "--windows", "4",
        "--rate", "4", "--steps", "1,2", "--step-seconds", "1.5", "--all-steps",
        "--user", STAFF[0], "--password", STAFF[1], "--server-pid", str(live_server.process.pid),
        "--json", str(tmp_path / "out.json"), "--report", str(tmp_path / "report"),
    )  # fmt: skip

    assert code == 0
    result = json.loads((tmp_path / "out.json").read_text())
    assert set(KEYS) <= set(result)
    assert (result["phones_subscribed"], result["screens_subscribed"]) == (20, 3)
    assert result["windows"] == 4 and result["setup"]["errors"] == 0
    assert [s["multiplier"] for s in result["steps"]] == [1, 2]
    for step in result["steps"]:
        assert set(STEP_KEYS) <= set(step)
        assert step["errors"] == 0 and step["closed_clients"] == 0
        assert step["calls"] >= step["offered_calls_per_s"] * 1.5 - 1
        assert step["call_to_screen"]["count"] == step["calls"] * 3
        assert step["screen_calls_missed"] == step["phone_calls_missed"] == 0
        assert 0 < step["call_to_screen"]["p50_ms"] < 5_000
        assert step["commands"]["issue"]["count"] > 0 and step["commands"]["finish"]["count"] > 0
        assert step["server_cpu_share"] is not None and step["server_cpu_share"] > 0
    assert sum(s["call_to_phone"]["count"] for s in result["steps"]) > 0
    assert result["timeline"] and {t["step"] for t in result["timeline"]} == {1, 2}
    for name in ("index.html", "loadtest.json", "latency.svg", "throughput.svg", "timeline.svg"):
        assert (tmp_path / "report" / name).stat().st_size > 0
    out, knee = capsys.readouterr().out, result["knee"]
    assert ("未见拐点" in out) if knee is None else (f"拐点 knee: 第 {knee['step']} 步" in out)
    # The hall is left as it was: no ticket of the load test waits, its windows are closed.
    board = live_server.api("GET", "/api/halls/south-axis/board")
    assert all(w["status"] == "closed" for w in board["windows"])
    assert sum(sum(s["waiting"].values()) for s in board["services"]) == 0


@pytest.mark.parametrize("url", ["http://10.1.2.3:8080", "http://example.com", "http://0.0.0.0:80"])
def test_a_load_test_against_anything_but_loopback_is_refused(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert loadtest("--url", url, "--step-seconds", "1") == 2
    err = capsys.readouterr().err
    assert "拒绝压测非本机地址" in err and "only loopback addresses" in err
