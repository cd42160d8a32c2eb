"""The report's Gantt chart: what each window did over one simulated day.

Drawn as one image of half-minute cells (window × time), coloured by the zone of the
service served (lighter when served as a fallback skill), grey while paused, with a
triangle where a re-plan reassigned the window. A day of the reference hall is thousands
of busy spans: as shapes they would weigh hundreds of kilobytes in the page, as one
image a few tens.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap, to_hex, to_rgb
from matplotlib.patches import Patch

from queue_core.hall_spec import HallSpec
from simulations.day_record import DayRecord
from simulations.plots import ZONE_COLOURS, hours_axis, label, new_figure, svg

CELL_MIN = 0.5
IDLE, PAUSED = 0, 1  # then two cells per zone: its own services, its fallback services


def lighter(colour: str) -> str:
    r, g, b = (0.45 * c + 0.55 for c in to_rgb(colour))  # halfway to white
    return to_hex((r, g, b))


def colours(spec: HallSpec) -> list[str]:
    zone_colours = [ZONE_COLOURS[i % len(ZONE_COLOURS)] for i in range(len(spec.zones))]
    return ["#ffffff", "#c8c8c8", *(c for z in zone_colours for c in (z, lighter(z)))]


def cells(
    record: DayRecord, spec: HallSpec, windows: list[int], start: float, end: float
) -> np.ndarray:
    """The chart's cells: window rows, CELL_MIN columns from `start`, colour indexes."""
    grid = np.full((len(windows), int(np.ceil((end - start) / CELL_MIN))), IDLE, dtype=np.int16)
    row = {w: i for i, w in enumerate(windows)}
    zone = {z.id: i for i, z in enumerate(spec.zones)}

    def paint(window: int, a: float, b: float, value: int) -> None:
        first = int((a - start) / CELL_MIN)
        grid[row[window], first : max(int(np.ceil((b - start) / CELL_MIN)), first + 1)] = value

    for window, a, b in record.pauses:
        paint(window, a, b, PAUSED)
    for window, a, b, service, fallback in record.busy_spans:
        paint(window, a, b, 2 + 2 * zone[spec.service(service).zone] + int(fallback))
    return grid


def gantt_figure(record: DayRecord, spec: HallSpec, policy: str) -> str:
    windows = sorted({w for w, *_ in record.busy_spans} | {w for w, *_ in record.pauses})
    start, end = record.first_minute - 5, record.last_minute + 5
    grid = cells(record, spec, windows, start, end)
    palette = colours(spec)
    figure = new_figure(7.0, 0.22 * len(windows) + 1.5)
    ax = figure.subplots()
    ax.imshow(
        grid, aspect="auto", interpolation="nearest", cmap=ListedColormap(palette),
        vmin=0, vmax=len(palette) - 1,
        extent=(start, start + grid.shape[1] * CELL_MIN, len(windows) - 0.5, -0.5),
    )  # fmt: skip
    row = {w: i for i, w in enumerate(windows)}
    for window, minute in record.reassigned:
        ax.plot(minute, row[window], marker="v", color="black", markersize=4)
    ax.set_yticks(range(len(windows)), [str(w) for w in windows], fontsize=7)
    ax.set_ylabel(label("窗口", "window"))
    ax.set_title(policy, loc="left", fontsize=10)
    hours_axis(ax, start, end)
    ax.legend(handles=legend(spec, palette), fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.1))  # fmt: skip
    return svg(figure)


def legend(spec: HallSpec, palette: list[str]) -> list[Patch]:
    zones = [Patch(color=palette[2 + 2 * i], label=label(z.name_zh, z.name_en)) for i, z in enumerate(spec.zones)]  # fmt: skip
    return [
        *zones,
        Patch(
            color=lighter("#777777"), label=label("浅色：兼办其他技能", "lighter: a fallback skill")
        ),
        Patch(color=palette[PAUSED], label=label("暂停", "paused")),
    ]
