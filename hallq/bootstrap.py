"""The composition root: the one place that wires settings, store and clock together.

Tests call the same function with in-memory parts (`Settings(store="memory")`, a
`ManualClock`), so what they exercise is what runs.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hallq.clock import SystemClock
from hallq.settings import Settings
from queue_core.application import HallqApplication
from queue_core.ports import Clock


def load_hall_document(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def build_application(settings: Settings, clock: Clock | None = None) -> HallqApplication:
    """A ready application: store chosen by `settings`, halls configured from their files."""
    app = HallqApplication(clock=clock or SystemClock(), env=settings.eventsourcing_env())
    for path in settings.hall_files:
        app.configure_hall(load_hall_document(path))
    return app
