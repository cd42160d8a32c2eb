"""The core does no I/O: `queue_core` imports only the standard library and the library's
domain/application modules (and one exception class from its persistence module), and
reads no wall clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "queue_core"
FORBIDDEN_TOP = {"aiohttp", "aiohttp_jinja2", "jinja2", "redis", "aiomqtt", "paho", "ortools", "simpy",
                 "websockets", "psycopg", "sqlite3", "hallq", "projections", "scheduler", "displays",
                 "callers", "simulations", "socket", "requests", "httpx"}  # fmt: skip
ALLOWED_EVENTSOURCING = {"eventsourcing.domain", "eventsourcing.application", "eventsourcing.utils"}
# The optimistic-concurrency contract: the one name the core needs from the persistence layer.
ALLOWED_FROM_PERSISTENCE = {"RecordConflictError"}
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
              ("time", "time"), ("time", "monotonic"), ("time", "perf_counter")}  # fmt: skip


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def imports_of(tree: ast.AST) -> list[tuple[str, set[str]]]:
    found: list[tuple[str, set[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, {alias.name for alias in node.names}))
    return found


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_a_core_module_imports_nothing_that_does_io(path: Path) -> None:
    for module, names in imports_of(ast.parse(path.read_text())):
        top = module.split(".")[0]
        assert top not in FORBIDDEN_TOP, f"{path.name} imports {module}"
        if top == "eventsourcing":
            if module == "eventsourcing.persistence":
                assert names <= ALLOWED_FROM_PERSISTENCE, (
                    f"{path.name} imports {names} from {module}"
                )
            else:
                assert module in ALLOWED_EVENTSOURCING, f"{path.name} imports {module}"
        else:
            assert top == "queue_core" or top in sys.stdlib_module_names, (
                f"{path.name} imports {module}"
            )


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_a_core_module_reads_no_wall_clock(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in WALL_CLOCK, (
                f"{path.name} calls {node.value.id}.{node.attr}"
            )


def test_the_import_check_would_catch_a_forbidden_import() -> None:
    tree = ast.parse("import redis\nfrom eventsourcing.sqlite import SQLiteFactory\n")
    modules = [m for m, _ in imports_of(tree)]
    assert modules == ["redis", "eventsourcing.sqlite"]
    assert "redis" in FORBIDDEN_TOP and "eventsourcing.sqlite" not in ALLOWED_EVENTSOURCING
