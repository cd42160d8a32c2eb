"""The load test's plots as inline SVG, from its JSON: latency and throughput against the
offered rate, and latency second by second (matplotlib, via `simulations.plots`)."""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from simulations.plots import label, new_figure, svg

SCREEN, PHONE, COMMAND, IDEAL = "#2f6fb0", "#3a9a5b", "#e07b24", "#999999"


def worst_command_p99(step: dict[str, Any]) -> float | None:
    values = [c["p99_ms"] for c in step["commands"].values() if c["p99_ms"] is not None]
    return max(values) if values else None


def rate_axis(ax: Axes, steps: list[dict[str, Any]]) -> None:
    rates = [s["offered_calls_per_s"] for s in steps]
    ax.set_xscale("log", base=2)
    ax.set_xticks(rates, [f"{r:g}" for r in rates])
    ax.minorticks_off()
    ax.set_xlabel(label("提供的叫号速率（次/秒，取号同速）", "offered calls/s (tickets/s alike)"))
    ax.grid(alpha=0.3)


def mark_knee(ax: Axes, result: dict[str, Any]) -> None:
    knee = result["knee"]
    if knee is not None:
        ax.axvline(knee["offered_calls_per_s"], color="#b8457a", linestyle=":", linewidth=1.5)
        ax.annotate(label("拐点", "knee"), (knee["offered_calls_per_s"], 0.97),
                    xycoords=("data", "axes fraction"), color="#b8457a", fontsize=8,
                    ha="right", va="top")  # fmt: skip


def latency_figure(result: dict[str, Any]) -> str:
    """p50 and p99 of call → screen, p99 of call → phone and of the slowest command kind,
    per step, with the knee's limit."""
    steps = result["steps"]
    rates = [s["offered_calls_per_s"] for s in steps]
    figure = new_figure(6.4, 3.4)
    ax = figure.subplots()
    lines = (
        (SCREEN, "--", label("叫号→大屏 p50", "call→screen p50"), [s["call_to_screen"]["p50_ms"] for s in steps]),
        (SCREEN, "-", label("叫号→大屏 p99", "call→screen p99"), [s["call_to_screen"]["p99_ms"] for s in steps]),
        (PHONE, "-", label("叫号→手机 p99", "call→phone p99"), [s["call_to_phone"]["p99_ms"] for s in steps]),
        (COMMAND, "-", label("最慢命令 p99", "slowest command p99"), [worst_command_p99(s) for s in steps]),
    )  # fmt: skip
    for colour, style, name, values in lines:
        points = [(r, v) for r, v in zip(rates, values, strict=True) if v is not None]
        if points:
            ax.plot(*zip(*points, strict=True), style, marker="o", color=colour, label=name)
    ax.axhline(
        result["p99_limit_ms"], color=IDEAL, linestyle=":", label=label("p99 上限", "p99 limit")
    )
    ax.set_yscale("log")
    ax.set_ylabel(label("延迟（毫秒）", "latency (ms)"))
    rate_axis(ax, steps)
    mark_knee(ax, result)
    ax.legend(fontsize=7, loc="best")
    return svg(figure)


def throughput_figure(result: dict[str, Any]) -> str:
    """Achieved calls and tickets a second against the offered rate (the diagonal)."""
    steps = result["steps"]
    rates = [s["offered_calls_per_s"] for s in steps]
    figure = new_figure(6.4, 3.4)
    ax = figure.subplots()
    ax.plot(rates, rates, ":", color=IDEAL, label=label("提供", "offered"))
    ax.plot(
        rates,
        [s["achieved_calls_per_s"] for s in steps],
        "-o",
        color=SCREEN,
        label=label("完成叫号", "calls done"),
    )
    ax.plot(rates, [s["achieved_tickets_per_s"] for s in steps], "--s", color=COMMAND, label=label("完成取号", "tickets issued"))  # fmt: skip
    ax.set_yscale("log", base=2)
    ax.set_ylabel(label("每秒", "per second"))
    rate_axis(ax, steps)
    mark_knee(ax, result)
    ax.legend(fontsize=7, loc="upper left")
    return svg(figure)


def by_step(result: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """The timeline's seconds, step by step (steps are apart: each has its drain)."""
    found: dict[int, list[dict[str, Any]]] = {s["step"]: [] for s in result["steps"]}
    for second in result["timeline"]:
        found.setdefault(second["step"], []).append(second)
    return found


def shade_steps(ax: Axes, result: dict[str, Any], seconds: dict[int, list[dict[str, Any]]]) -> None:
    for step in result["steps"]:
        inside = [t["t_s"] for t in seconds[step["step"]]]
        if not inside:
            continue
        if step["step"] % 2 == 0:
            ax.axvspan(min(inside), max(inside) + 1, color="#eeeeee", zorder=0)
        ax.annotate(f"×{step['multiplier']:g}", (min(inside), 0.97), xycoords=("data", "axes fraction"), fontsize=7, va="top")  # fmt: skip


def timeline_figure(result: dict[str, Any]) -> str:
    """Per second of the steps: call → screen p50 and p99, and the commands' p99."""
    seconds = by_step(result)
    figure = new_figure(6.4, 3.2)
    ax = figure.subplots()
    series = (
        ("screen_p50_ms", SCREEN, "--", label("叫号→大屏 p50", "call→screen p50")),
        ("screen_p99_ms", SCREEN, "-", label("叫号→大屏 p99", "call→screen p99")),
        ("command_p99_ms", COMMAND, "-", label("命令 p99", "command p99")),
    )
    for key, colour, style, name in series:
        for entries in seconds.values():  # a line per step: none across the gaps between
            points = [(t["t_s"], t[key]) for t in entries if t[key] is not None]
            if points:
                ax.plot(*zip(*points, strict=True), style, color=colour, linewidth=1, label=name)
                name = "_"  # one legend entry per series (matplotlib skips labels with "_")
    shade_steps(ax, result, seconds)
    ax.axhline(result["p99_limit_ms"], color=IDEAL, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel(label("秒（按发送时间）", "seconds (by send time)"))
    ax.set_ylabel(label("延迟（毫秒）", "latency (ms)"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return svg(figure)


FIGURES = {"latency": latency_figure, "throughput": throughput_figure, "timeline": timeline_figure}
