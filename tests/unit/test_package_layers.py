"""Dependencies point inward (see docs/architecture.md): each package imports only the
layers beneath it. `queue_core`'s stricter rules are in test_core_imports.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.unit.test_core_imports import imports_of

ROOT = Path(__file__).resolve().parents[2]
WEB_AND_DEVICES = {"aiohttp", "aiohttp_jinja2", "jinja2", "websockets", "redis", "aiomqtt"}
OUTER = {"hallq", "displays", "callers", "simulations", "bench", "tests"}
FORBIDDEN = {
    "projections": OUTER | WEB_AND_DEVICES | {"scheduler", "ortools", "simpy"},
    "scheduler": OUTER | WEB_AND_DEVICES | {"simpy"},
}


def modules() -> list[tuple[str, Path]]:
    return [
        (package, path) for package in FORBIDDEN for path in sorted((ROOT / package).rglob("*.py"))
    ]


@pytest.mark.parametrize(("package", "path"), modules(), ids=lambda v: getattr(v, "name", v))
def test_a_package_imports_only_the_layers_beneath_it(package: str, path: Path) -> None:
    tree = ast.parse(path.read_text())
    used = {module.split(".")[0] for module, _ in imports_of(tree)}
    assert not used & FORBIDDEN[package], (
        f"{path.relative_to(ROOT)} imports {used & FORBIDDEN[package]}"
    )
