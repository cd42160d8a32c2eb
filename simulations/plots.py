"""The report's plots as inline SVG: queues over the day, waits per lane (the window
Gantt chart is in `simulations.gantt`).

Matplotlib without pyplot (no global state, no display). Text stays text in the SVG, so
a phone draws it with its own fonts; labels are Chinese and English when a CJK font is
installed for matplotlib to measure them, English only otherwise (never empty boxes).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from queue_core.hall_spec import HallSpec
from queue_core.vocabulary import Lane
from simulations.day_record import DayRecord

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
)
ZONE_COLOURS = ("#2f6fb0", "#e07b24", "#3a9a5b", "#b8457a", "#7a5cc4", "#8c8c3a")
POLICY_COLOURS = {
    "dedicated": "#b8457a",
    "fallback": "#2f6fb0",
    "pooled": "#3a9a5b",
    "dynamic": "#e07b24",
}
GRID_MIN = 5.0
ECDF_POINTS = 201  # quantiles drawn per curve: the same picture as every wait, a hundredth the page


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK font matplotlib knows, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def label(zh: str, en: str) -> str:
    return f"{zh} {en}" if cjk_font() else en


def new_figure(width: float, height: float) -> Figure:
    rcParams["svg.fonttype"] = "none"
    rcParams["savefig.dpi"] = 150  # for the Gantt charts' image only: the rest is vector
    font = cjk_font()
    rcParams["font.sans-serif"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    return Figure(figsize=(width, height), layout="constrained")


def svg(figure: Figure) -> str:
    """The figure as an `<svg>` element to paste into HTML."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def hours_axis(ax: Axes, start: float, end: float) -> None:
    ticks = np.arange(np.ceil(start / 60) * 60, end + 1, 60)
    ax.set_xticks(ticks, [f"{int(t // 60):02d}:00" for t in ticks])
    ax.set_xlim(start, end)


def queue_lengths(records: Sequence[DayRecord], grid: np.ndarray) -> dict[str, np.ndarray]:
    """Each service's number waiting at each grid minute, averaged over the days."""
    total: dict[str, np.ndarray] = {}
    for record in records:
        by_service: dict[str, list[tuple[float, int]]] = {}
        for minute, service, delta in record.queue:
            by_service.setdefault(service, []).append((minute, delta))
        for service, steps in by_service.items():
            times = np.array([m for m, _ in steps])
            counts = np.cumsum([d for _, d in steps])
            index = np.searchsorted(times, grid, side="right") - 1
            level = np.where(index >= 0, counts[np.maximum(index, 0)], 0)
            total[service] = total.get(service, np.zeros_like(grid)) + level
    return {s: v / max(len(records), 1) for s, v in total.items()}


def queue_figure(runs: Mapping[str, Sequence[DayRecord]], spec: HallSpec, top: int = 6) -> str:
    """One panel per policy: the busiest services' queues over the day."""
    start = min(r.first_minute for records in runs.values() for r in records)
    end = max(r.last_minute for records in runs.values() for r in records)
    grid = np.arange(start, end + GRID_MIN, GRID_MIN)
    levels = {p: queue_lengths(records, grid) for p, records in runs.items()}
    mean = {s: sum(float(v[s].mean()) for v in levels.values() if s in v) for s in {s for v in levels.values() for s in v}}  # fmt: skip
    busiest = sorted(mean, key=lambda s: -mean[s])[:top]
    figure = new_figure(7.0, 2.3 * len(runs) + 0.6)
    axes = figure.subplots(len(runs), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (policy, series) in zip(axes, levels.items(), strict=True):
        for service in busiest:
            name = spec.service(service)
            ax.step(grid, series.get(service, np.zeros_like(grid)), where="post", label=label(name.name_zh, name.name_en))  # fmt: skip
        ax.set_title(policy, loc="left", fontsize=10)
        ax.set_ylabel(label("等候人数", "waiting"))
        hours_axis(ax, start, end)
    axes[0].legend(fontsize=7, ncol=2, loc="upper right")
    return svg(figure)


def waits_figure(runs: Mapping[str, Sequence[DayRecord]]) -> str:
    """Per lane, the share of called residents who waited at most x minutes, per policy."""
    lanes = [lane for lane in Lane if any(r.waits[lane] for rs in runs.values() for r in rs)]
    figure = new_figure(7.0, 2.4 * len(lanes) + 0.4)
    axes = figure.subplots(len(lanes), 1, squeeze=False)[:, 0]
    names = {Lane.GREEN: ("绿色通道", "green lane"), Lane.YELLOW: ("黄色通道", "yellow lane"), Lane.BLUE: ("普通", "blue lane")}  # fmt: skip
    for ax, lane in zip(axes, lanes, strict=True):
        for policy, records in runs.items():
            waits = np.array([w for r in records for w in r.waits[lane]])
            if waits.size:
                shares = np.linspace(0, 1, ECDF_POINTS)
                ax.plot(np.quantile(waits, shares), shares, label=policy, color=POLICY_COLOURS.get(policy))  # fmt: skip
        ax.set_title(label(*names[lane]), loc="left", fontsize=10)
        ax.set_ylabel(label("累计占比", "share"))
        ax.set_xlabel(label("等候分钟（取号至首次叫号）", "minutes from ticket to first call"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    return svg(figure)
