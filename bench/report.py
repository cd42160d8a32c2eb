"""Printing and saving benchmark results the same way for every benchmark."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def publish(name: str, figures: dict[str, Any], targets: dict[str, str]) -> Path:
    """Print `figures` as a table beside their targets and write `results/<name>.json`."""
    width = max(map(len, figures))
    print(f"\n{name}")
    print(f"{'key':<{width}}  {'value':>14}  target")
    for key, value in figures.items():
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown:>14}  {targets.get(key, '')}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps({**figures, "targets": targets, "machine": machine()}, indent=2) + "\n"
    )
    print(f"written: {path}")
    return path
