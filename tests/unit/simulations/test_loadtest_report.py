"""The report page: the verdict in Chinese and English, the steps, the plots inline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulations.loadtest_report import write_report
from simulations.loadtest_result import knee_of, max_sustained


def latency(p50: float, p99: float) -> dict[str, Any]:
    return {"count": 10, "p50_ms": p50, "p95_ms": p99, "p99_ms": p99, "max_ms": p99}


def step(k: int, p99: float, reasons: list[str]) -> dict[str, Any]:
    rate = 4.0 * 2**k
    return {
        "step": k + 1, "multiplier": 2**k, "offered_calls_per_s": rate,
        "achieved_calls_per_s": rate, "achieved_tickets_per_s": rate,
        "commands": {kind: latency(3.0, p99) for kind in ("issue", "call-next", "start", "finish")},
        "call_to_screen": latency(4.0, p99), "call_to_phone": latency(4.5, p99),
        "deliveries_per_s": 100.0 * rate, "errors": 0, "server_cpu_share": 0.1 * (k + 1),
        "knee_reasons": reasons,
    }  # fmt: skip


def a_result() -> dict[str, Any]:
    steps = [step(0, 20, []), step(1, 140, ["stall"]), step(2, 30, []), step(3, 150, ["slow"])]
    return {
        "url": "http://127.0.0.1:8080", "hall": "south-axis", "started_at": "2026-03-02T01:00:00+00:00",
        "phones_subscribed": 500, "screens_subscribed": 20, "windows": 20, "kiosks": 64,
        "base_rate_per_s": 4.0, "multipliers": [1, 2, 4, 8], "step_seconds": 12.0,
        "p99_limit_ms": 100.0, "steps": steps, "knee": knee_of(steps),
        "max_sustained_calls_per_s": max_sustained(steps),
        "timeline": [{"t_s": t, "step": t // 13 + 1, "calls": 4, "screen_p50_ms": 4.0,
                      "screen_p99_ms": 9.0, "command_p99_ms": 12.0} for t in range(52)],
        "machine": {"python": "3.11", "cpus": 2, "platform": "Linux", "load_average_1min_at_end": 1.0},
    }  # fmt: skip


def test_the_report_names_the_knee_the_rate_held_and_the_one_off_stall(tmp_path: Path) -> None:
    page = write_report(a_result(), tmp_path).read_text()

    assert '<html lang="zh-CN">' in page and 'name="viewport"' in page
    assert (
        "最高稳定速率 <b>16 次叫号/秒</b>" in page
        and "Highest rate held: <b>16 calls/s</b>" in page
    )
    assert "拐点：第 4 步" in page and "Knee: step 4 (×8, 32 calls/s)" in page
    assert "第 2 步偶发越线" in page and "Step 2 had trouble" in page
    assert page.count("<svg") == 3 and page.count('class="knee"') == 2
    assert json.loads((tmp_path / "loadtest.json").read_text())["knee"]["step"] == 4
    assert all(
        (tmp_path / f"{n}.svg").read_text().startswith("<svg")
        for n in ("latency", "throughput", "timeline")
    )
