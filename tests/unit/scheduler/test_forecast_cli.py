"""`hallq forecast evaluate` on a history CSV: table on stdout, progress on stderr, JSON file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hallq.forecast_cli import add_forecast_parser
from hallq.settings import reference_hall_path
from tests.unit.scheduler.synthetic_history import SyntheticHall


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hallq")
    add_forecast_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forecast") / "history.csv"
    SyntheticHall().history(5 * 7, seed=3).save_csv(path)
    return path


def test_evaluate_prints_the_table_and_writes_json(
    history_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "report.json"
    calendar = str(reference_hall_path())
    code = run(["forecast", "evaluate", "--history", str(history_file), "--days", "3", "--json", str(out), "--calendar", calendar])  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0
    assert "业务×15分钟 service × 15 min" in printed.out and "WAPE" in printed.out
    assert printed.err.count("回测 backtesting") == 3
    assert "(3/3)" in printed.err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["days"]) == 3
    assert set(report["levels"]) == {"hall_15min", "service_1h", "service_15min"}
    assert (
        report["levels"]["hall_15min"]["model_wape"] < report["levels"]["hall_15min"]["naive_wape"]
    )


def test_a_missing_history_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert run(["forecast", "evaluate", "--history", str(tmp_path / "none.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_days_must_be_positive(history_file: Path, capsys: pytest.CaptureFixture[str]):
    assert run(["forecast", "evaluate", "--history", str(history_file), "--days", "0"]) == 1
    assert "--days" in capsys.readouterr().err
