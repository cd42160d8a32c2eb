"""One self-contained HTML page per run: the comparison table and the plots, zh-CN and English.

No scripts, no external files: the plots are inline SVG and the style is in the page, so
the file can be mailed, opened on a phone, or committed to `docs/`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from queue_core.hall_spec import hall_spec_from_mapping
from simulations.gantt import gantt_figure
from simulations.plots import queue_figure, waits_figure
from simulations.runner import SimulationResult

STYLE = """
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:0 auto;max-width:960px;padding:12px;color:#222;line-height:1.45}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ddd}
.en{color:#666;font-size:.92em}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.85em;white-space:nowrap}
th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
svg{max-width:100%;height:auto}
"""
COLUMNS = (
    ("mean_wait_min", "平均等候", "mean wait"), ("p50_wait_min", "中位数", "p50"),
    ("p90_wait_min", "p90", "p90"), ("p95_wait_min", "p95", "p95"), ("max_wait_min", "最长", "max"),
    ("abandon_rate", "放弃率", "abandoned"), ("utilisation", "利用率", "utilisation"),
    ("switches_per_day", "切换/天", "switches/day"),
    ("reassignments_per_day", "改派/天", "reassigned/day"),
)  # fmt: skip
POLICY_NOTES = {
    "dedicated": ("各窗口只叫本窗口分配的业务", "each window calls only its assigned services"),
    "fallback": ("本窗口业务无人等候时，兼办其他技能", "a window serves its other skills when nobody of its own waits"),
    "pooled": ("每个窗口办理所有业务：同等人手下的下限", "every window serves every service: the lower bound for this staff"),
    "dynamic": ("调度优化器定时重新分配窗口（以场景真实到达率为预测）",
                "the scheduler's optimiser re-plans windows every few minutes (forecast: the scenario's true arrival rates)"),
}  # fmt: skip
LANES = {"overall": "全部 all", "green": "绿色 green", "yellow": "黄色 yellow", "blue": "普通 blue"}


def cell(figures: dict[str, Any], name: str) -> str:
    value, half = figures.get(name), figures.get(f"{name}_ci95")
    if value is None:
        return "–"
    percent = name in ("abandon_rate", "utilisation")
    scale, unit = (100, " %") if percent else (1, "")
    text = f"{value * scale:.1f}"
    return text + (f" ± {half * scale:.1f}" if half is not None else "") + unit


def comparison_table(data: dict[str, Any]) -> str:
    head = "".join(f"<th>{zh}<br><span class=en>{en}</span></th>" for _, zh, en in COLUMNS)
    rows = []
    for policy, figures in data["policies"].items():
        for lane, f in [("overall", figures["overall"]), *figures["lanes"].items()]:
            cells = "".join(f"<td>{cell(f, name)}</td>" for name, _, _ in COLUMNS)
            rows.append(f"<tr><td>{escape(policy)}</td><td>{LANES[lane]}</td>{cells}</tr>")
    return (
        "<div class=scroll><table><tr><th>策略<br><span class=en>policy</span></th>"
        f"<th>通道<br><span class=en>lane</span></th>{head}</tr>{''.join(rows)}</table></div>"
    )


def policy_list(data: dict[str, Any]) -> str:
    items = "".join(
        f"<li><b>{escape(p)}</b>：{POLICY_NOTES[p][0]}<br><span class=en>{POLICY_NOTES[p][1]}</span></li>"
        for p in data["policies"]
    )
    return f"<ul>{items}</ul>"


def section(zh: str, en: str, body: str, note_zh: str = "", note_en: str = "") -> str:
    note = f"<p>{note_zh}<br><span class=en>{note_en}</span></p>" if note_zh else ""
    return f"<h2>{zh} <span class=en>{en}</span></h2>{note}{body}"


def render(result: SimulationResult) -> str:
    """The report's HTML text."""
    data = result.to_json()
    scenario = result.scenario
    records = {p: run.records for p, run in result.runs.items()}
    spec = hall_spec_from_mapping(scenario.hall)
    kept = min(len(r) for r in records.values())
    speeds = ", ".join(f"{p} {f['sim_days_per_s']}" for p, f in data["policies"].items())
    parts = [
        f"<h1>{escape(scenario.title_zh)}<br><span class=en>{escape(scenario.title_en)}</span></h1>",
        f"<p>{data['days']} 个营业日（自 {data['first_date']}），种子 {data['seed']}；每种策略面对完全相同的来客。"
        f"<br><span class=en>{data['days']} open days from {data['first_date']}, seed {data['seed']}; "
        f"every policy meets exactly the same residents. Simulated days per second: {speeds}.</span></p>",
        section("策略对比", "Policies compared", policy_list(data) + comparison_table(data),
                "各项为逐日数值的平均，± 为 95% 置信区间半宽（按天的 t 分布）。等候 = 取号至首次叫号。",
                "Each figure is the mean over days, ± its 95 % confidence half-width (Student t over days). "
                "Wait = ticket to first call, from the core's events."),
        section("各业务排队人数", "Queue length over the day", queue_figure(records, spec),
                f"等候人数最多的业务，前 {kept} 天的平均。", f"The busiest services, averaged over the first {kept} days."),
        section("各通道等候分布", "Waits per lane", waits_figure(records),
                f"前 {kept} 天被叫到的来客。", f"Residents called on the first {kept} days."),
        section("窗口甘特图", "Windows over the first day",
                "".join(gantt_figure(rs[0], spec, p) for p, rs in records.items() if rs),
                "颜色为所办业务的区域；浅色 = 兼办其他技能；灰色 = 暂停；三角 = 重新分配业务。",
                "Colour: zone of the service served; lighter: served as a fallback skill; grey: paused; "
                "triangle: services reassigned."),
    ]  # fmt: skip
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(scenario.title_zh)} · 仿真 simulation</title><style>{STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )


def write_report(result: SimulationResult, folder: Path) -> Path:
    """Write `index.html` into `folder`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(render(result), encoding="utf-8")
    return path
