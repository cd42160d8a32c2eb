"""`hallq simulate`: figures as JSON, an HTML report, the arrivals as the forecaster's CSV."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import pytest

from simulations.cli import add_simulate_parser
from simulations.metrics import FIGURES
from tests.unit.simulations.conftest import SMALL_HALL


def simulate(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hallq")
    add_simulate_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["simulate", *argv])
    return int(args.func(args))


def test_a_run_writes_figures_report_and_arrivals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report, arrivals = tmp_path / "run.json", tmp_path / "report", tmp_path / "arrivals.csv"
    code = simulate(str(SMALL_HALL), "--policy", "dedicated,pooled", "--days", "3", "--seed", "4",
                    "--json", str(out), "--report", str(report), "--arrivals-out", str(arrivals))  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "6/6" in captured.err  # the progress bar counts policy-days
    assert "平均等候 mean wait" in captured.out

    data = json.loads(out.read_text())
    assert list(data["policies"]) == ["dedicated", "pooled"]
    for figures in data["policies"].values():
        assert {"tickets", "days", "seed", "sim_days_per_s"} <= set(figures)
        assert figures["days"] == 3 and figures["seed"] == 4
        for block in [figures["overall"], *figures["lanes"].values()]:
            assert {*FIGURES, *(f"{f}_ci95" for f in FIGURES)} <= set(block)
        assert set(figures["lanes"]) == {"green", "yellow", "blue"}

    with arrivals.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["date", "slot", "service", "lane", "arrivals"]
    assert sorted({r[0] for r in rows[1:]}) == [
        "2026-03-06",
        "2026-03-07",
        "2026-03-09",
    ]  # no Sunday
    assert sum(int(r[4]) for r in rows[1:]) == data["policies"]["pooled"]["tickets"]
    assert all(
        r[1][-2:] in ("00", "15", "30", "45") and r[3] in ("green", "yellow", "blue")
        for r in rows[1:]
    )

    page = (report / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'lang="zh-CN"' in page
    assert page.count("<svg") == 4  # queues, waits, and a Gantt chart per policy
    assert "等候人数" in page and "waiting" in page


def test_a_wrong_scenario_is_refused_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(SMALL_HALL.read_text().replace("walk_min = 0.3", "walk_min = -1"))
    assert simulate(str(broken), "--days", "1") == 2
    err = capsys.readouterr().err
    assert "residents.walk_min" in err and "场景配置错误" in err and "bad scenario" in err


def test_an_unknown_policy_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate(str(SMALL_HALL), "--policy", "psychic", "--days", "1") == 2
    assert "未知策略" in capsys.readouterr().err
