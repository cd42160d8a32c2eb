"""The load test's report folder: `index.html` (zh-CN and English, plots inline, readable
on a phone), `loadtest.json` and each plot as an `.svg` file of its own."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from simulations.loadtest_plots import FIGURES
from simulations.report import STYLE, section

HEAD = (
    ("×", "倍数", "step"), ("calls/s", "叫号 提供→完成", "calls offered→done"),
    ("tickets/s", "取号/秒", "tickets/s"), ("cmd", "命令 p50/p99", "command p50/p99"),
    ("screen", "叫号→大屏 p50/p95/p99", "call→screen p50/p95/p99"),
    ("phone", "叫号→手机 p99", "call→phone p99"), ("push", "推送/秒", "pushes/s"),
    ("errors", "错误", "errors"), ("cpu", "CPU 服务器/压测/其他", "CPU server/load test/others"),
)  # fmt: skip


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def commands_cell(step: dict[str, Any]) -> str:
    p50 = max((c["p50_ms"] or 0.0 for c in step["commands"].values()), default=0.0)
    p99 = max((c["p99_ms"] or 0.0 for c in step["commands"].values()), default=0.0)
    return f"{p50:.1f} / {p99:.1f}"


def cpu_cell(step: dict[str, Any]) -> str:
    """Cores in use: the server, the load test (driver and clients), everything else."""
    ours = (step.get("driver_cpu_share") or 0.0) + (step.get("clients_cpu_share") or 0.0)
    server, others = step.get("server_cpu_share"), step.get("others_cpu_share")
    shown = ["–" if v is None else f"{v:.2f}" for v in (server, ours, others)]
    return " / ".join(shown)


def row(step: dict[str, Any]) -> str:
    screen = step["call_to_screen"]
    cells = (
        f"×{step['multiplier']:g}",
        f"{step['offered_calls_per_s']:g} → {step['achieved_calls_per_s']:.1f}",
        f"{step['achieved_tickets_per_s']:.1f}",
        commands_cell(step),
        f"{ms(screen['p50_ms'])} / {ms(screen['p95_ms'])} / {ms(screen['p99_ms'])}",
        ms(step["call_to_phone"]["p99_ms"]),
        f"{step['deliveries_per_s']:.0f}",
        str(step["errors"]),
        cpu_cell(step),
    )
    mark = ' class="knee"' if step["knee_reasons"] else ""
    return f"<tr{mark}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"


def steps_table(result: dict[str, Any]) -> str:
    head = "".join(f"<th>{zh}<br><span class=en>{en}</span></th>" for _, zh, en in HEAD)
    rows = "".join(row(s) for s in result["steps"])
    return f"<div class=scroll><table><tr>{head}</tr>{rows}</table></div>"


def held(kept: float | None) -> str:
    if kept is None:
        return "<p>第一步已越过拐点。<br><span class=en>The first step is already past the knee.</span></p>"
    return (
        f"<p>最高稳定速率 <b>{kept:g} 次叫号/秒</b>（外加同样多的取号；每次叫号含叫号、开始、办结三条命令）。"
        f"<br><span class=en>Highest rate held: <b>{kept:g} calls/s</b> (plus as many tickets; each call "
        "is call-next, start and finish).</span></p>"
    )


def one_offs(result: dict[str, Any]) -> str:
    """Steps in trouble before the knee: the next step did not repeat it."""
    knee = result["knee"]
    before = len(result["steps"]) + 1 if knee is None else knee["step"]
    return "".join(
        f"<p>第 {s['step']} 步偶发越线，下一步未复现：<br><span class=en>Step {s['step']} had trouble "
        f"the next step did not repeat:</span> {escape('; '.join(s['knee_reasons']))}</p>"
        for s in result["steps"]
        if s["knee_reasons"] and s["step"] < before
    )


def verdict(result: dict[str, Any]) -> str:
    knee = result["knee"]
    text = held(result["max_sustained_calls_per_s"]) + one_offs(result)
    if knee is None:
        return (
            text
            + "<p>所跑各步均未见拐点。<br><span class=en>No knee within the steps run.</span></p>"
        )
    reasons = "".join(f"<li>{escape(r)}</li>" for r in knee["reasons"])
    return text + (
        f"<p>拐点：第 {knee['step']} 步（×{knee['multiplier']:g}，{knee['offered_calls_per_s']:g} 次叫号/秒）"
        f"<br><span class=en>Knee: step {knee['step']} (×{knee['multiplier']:g}, "
        f"{knee['offered_calls_per_s']:g} calls/s)</span></p><ul>{reasons}</ul>"
    )


def setting(result: dict[str, Any]) -> str:
    r, m = result, result["machine"]
    return (
        f"<p>{escape(r['url'])} · 大厅 hall {escape(r['hall'])} · {escape(r['started_at'])}<br>"
        f"{r['phones_subscribed']} 部手机 phones · {r['screens_subscribed']} 块大屏 screens · "
        f"{r['windows']} 个窗口 windows · {r['kiosks']} 台虚拟取号机 virtual kiosks · "
        f"基准 base {r['base_rate_per_s']:g}/s × {', '.join(f'{x:g}' for x in r['multipliers'])} · "
        f"每步 {r['step_seconds']:g} s per step · p99 上限 limit {r['p99_limit_ms']:g} ms<br>"
        f"<span class=en>Python {escape(str(m['python']))}, {m['cpus']} CPUs, "
        f"{escape(str(m['platform']))}; load average at the end {m['load_average_1min_at_end']}</span></p>"
    )


METHOD = (
    "<p>服务器与压测程序在同一台机器上，经回环地址通信；CPU 列为所用核数（服务器 / 压测程序 / 机器上其他进程）。取号机按固定节拍开环取号；每个窗口依次叫号、开始、办结；"
    "手机订阅各自号票（叫到后改随队首的下一张新号），大屏订阅大厅频道。叫号→大屏/手机延迟 = 发出叫号请求前一刻到消息送达，"
    "同一单调时钟（CLOCK_MONOTONIC）。第一步之前先预热 2 秒，不计入。某步越线：p99 超过上限、出现错误、吞吐低于提供速率的 90 %，"
    "或有消息漏推、客户端被断开；拐点是此后各步都越线的第一步（偶发一次卡顿不算拐点，但表中标出）。<br><span class=en>Server and load test share one machine and talk over loopback. "
    "Kiosks take tickets open-loop at a fixed pace; each window calls, starts and finishes in turn; each phone "
    "follows its ticket (once it is called, the next new ticket at the front), screens follow the hall channel. "
    "Call→screen/phone latency runs from just before the call-next request to the message's arrival, on one "
    "CLOCK_MONOTONIC. A 2 s warm-up comes first, unmeasured. A step is in trouble with a p99 above the limit, "
    "any error, throughput below 90 % of the offered rate, or a call not delivered / a client closed; the knee "
    "is the first step from which every later step is in trouble (a one-off stall is marked in the table but "
    "is not the knee).</span></p>"
)


def render(result: dict[str, Any], plots: dict[str, str]) -> str:
    """The report's HTML text, with `plots` (name → SVG, as `FIGURES` draws them)."""
    parts = [
        "<h1>hallq 压测报告<br><span class=en>hallq load test</span></h1>",
        setting(result),
        section("结论", "Verdict", verdict(result)),
        section("各步结果", "Steps", steps_table(result), "延迟单位为毫秒。", "Latencies in ms."),
        section("延迟与速率", "Latency against the offered rate", plots["latency"]),
        section("吞吐", "Throughput", plots["throughput"]),
        section("逐秒延迟", "Second by second", plots["timeline"]),
        section("方法", "Method", METHOD),
    ]
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>hallq 压测 load test</title><style>{STYLE}tr.knee td{{background:#fbeef3}}"
        f"</style></head><body>{''.join(parts)}</body></html>\n"
    )


def write_report(result: dict[str, Any], folder: Path) -> Path:
    """Write `index.html`, `loadtest.json` and the plots into `folder`; the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "loadtest.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    plots = {name: figure(result) for name, figure in FIGURES.items()}
    for name, text in plots.items():
        (folder / f"{name}.svg").write_text(text, encoding="utf-8")
    page = folder / "index.html"
    page.write_text(render(result, plots), encoding="utf-8")
    return page
