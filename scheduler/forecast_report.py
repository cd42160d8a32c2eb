"""The backtest report as a zh/en text table and as JSON-ready values."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from typing import Any

from scheduler.forecast_eval import BacktestReport, LevelScore

_COLUMNS = (
    ("层级 level", 30),
    ("模型 WAPE", 11),
    ("朴素 WAPE", 11),
    ("噪声下限 floor", 16),
    ("模型 MASE", 11),
    ("朴素 MASE", 11),
)


def report_to_dict(report: BacktestReport) -> dict[str, Any]:
    """Return the report as plain values (NaN becomes None) for ``--json``."""
    return {
        "days": [d.isoformat() for d in report.days],
        "day_models": dict(Counter(report.day_models)),
        "levels": {s.level.value: _score_dict(s) for s in report.scores},
    }


def render_report(report: BacktestReport) -> str:
    """Return the report as a text table with zh/en headings."""
    if not report.days:
        return "没有可回测的日子 / no days to backtest\n"
    arrivals = int(report.scores[0].arrivals) if report.scores else 0
    models = ", ".join(f"{m} {n}" for m, n in sorted(Counter(report.day_models).items()))
    lines = [
        f"到达预测回测 forecast backtest: {len(report.days)} 天 days, "
        f"{report.days[0]} … {report.days[-1]}, {arrivals} 位到达 arrivals",
        f"日总量模型 day-level model: {models}",
        "朴素 = 上周同一时段 seasonal naive (same slot, one week earlier); "
        "噪声下限 = 完美预测仍有的泊松误差 Poisson noise floor",
        "",
        "".join(_pad(title, width) for title, width in _COLUMNS).rstrip(),
    ]
    for score in report.scores:
        cells = (
            score.level.label,
            _percent(score.model_wape),
            _percent(score.naive_wape),
            _percent(score.floor_wape),
            _ratio(score.model_mase),
            _ratio(score.naive_mase),
        )
        lines.append(
            "".join(_pad(c, w) for c, (_, w) in zip(cells, _COLUMNS, strict=True)).rstrip()
        )
    return "\n".join(lines) + "\n"


def _score_dict(score: LevelScore) -> dict[str, Any]:
    values = {
        "cells": score.cells,
        "arrivals": score.arrivals,
        "model_wape": score.model_wape,
        "naive_wape": score.naive_wape,
        "floor_wape": score.floor_wape,
        "model_mase": score.model_mase,
        "naive_mase": score.naive_mase,
    }
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in values.items()}


def _percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _ratio(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.3f}"


def _pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)
