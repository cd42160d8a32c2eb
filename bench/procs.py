"""Child processes of a benchmark: shared with the load test, which lives in `simulations`
(installed with hallq, unlike `bench`)."""

from __future__ import annotations

from simulations.loadtest_procs import (
    HOST,
    ROOT,
    Child,
    cpu_seconds,
    die_with_parent,
    free_port,
    log,
    raise_open_files,
)

__all__ = [
    "HOST",
    "ROOT",
    "Child",
    "cpu_seconds",
    "die_with_parent",
    "free_port",
    "log",
    "raise_open_files",
]
