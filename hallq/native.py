"""The hot pure modules compiled with mypyc, plain Python when they are not.

Why: a call fans out to thousands of sockets, and per call the server spends most of its
CPU in a few pure modules (publishing, ticket statuses, queue order, the push hub).
Compiled, the server takes about 6 % less CPU per call (`python -m bench.push_ab`).

`python -m hallq.native_build` (run by `make install`) compiles NATIVE_MODULES into
`build/native/` beside a manifest (see `stamp`): the SHA-256 of every module of the
packages they were compiled against, and the versions of the tools and libraries that
shaped the build. `activate()`, run by `hallq/__init__` and so before any of them is
imported, puts a finder first on `sys.meta_path` that loads them from there. It does so
for all of them or for none: compiled code checks the types of the objects it is handed,
and a plain `PushHub` is not the compiled one. None is loaded compiled, and the plain
source runs as before, when HALLQ_NATIVE is 0 (or false, no, off), when nothing is
built, or when anything in the stamp differs from today's (an edit since: `make`
rebuilds). Checking costs a few milliseconds per process.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

NATIVE_MODULES = (
    "displays.push",
    "displays.publisher",
    "displays.ws_endpoint",
    "projections.follower",
    "projections.hall_board",
    "projections.shadow",
    "projections.ticket_status",
    "projections.window_view",
    "queue_core.call_rules",
)
COMPILED_AGAINST = ("queue_core", "projections", "displays", "callers", "hallq")  # packages
ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "native"
EXT_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]  # this interpreter's, e.g. .cpython-311-…so
# The compiler, and the libraries whose types the compiled modules use.
SHAPED_BY = ("mypy", "eventsourcing", "aiohttp", "orjson")
OFF = ("0", "false", "no", "off")


def source(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def stamp() -> dict[str, Any]:
    """What a build depends on, as it is now: a build stamped otherwise is stale. Every
    module of COMPILED_AGAINST counts, not only the compiled ones: a field's type changed
    there would make the compiled code's run-time checks fail."""
    return {
        "ext_suffix": EXT_SUFFIX,
        "versions": {name: _version(name) for name in SHAPED_BY},
        "sources": {
            str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
            for package in COMPILED_AGAINST
            for path in sorted((ROOT / package).rglob("*.py"))
        },
    }


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:  # mypy, say, in a deployment without it
        return None


def _extensions(folder: Path) -> dict[str, Path] | None:
    """The build's extension modules by name, if its stamp is today's and every one of
    them is there; else None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        if {k: manifest[k] for k in ("ext_suffix", "versions", "sources")} != stamp():
            return None
        extensions = {name: folder / path for name, path in manifest["extensions"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        # No build, a damaged manifest, a source unreadable mid-checkout: plain Python.
        return None
    if set(NATIVE_MODULES) - set(extensions) or not all(p.is_file() for p in extensions.values()):
        return None
    return extensions


def fresh(folder: Path = BUILD) -> bool:
    """Whether `folder` holds a whole build of exactly today's sources, for this interpreter."""
    return _extensions(folder) is not None


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, extensions: dict[str, Path]) -> None:
        self.extensions = extensions  # with mypyc's shared library, which the others import

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        found = self.extensions.get(fullname)
        return importlib.util.spec_from_file_location(fullname, found) if found else None


def activate(folder: Path = BUILD) -> str:
    """Load NATIVE_MODULES compiled from now on, if it can be done for all of them; say
    how it went: `native`, `off` (HALLQ_NATIVE), `absent` (not built), `stale` (built,
    but not from what is here now), or `late` (one of them is loaded already)."""
    if os.environ.get("HALLQ_NATIVE", "").lower() in OFF:
        return "off"
    if not (folder / "manifest.json").exists():
        return "absent"
    extensions = _extensions(folder)
    if extensions is None:
        return "stale"
    if any(module in sys.modules for module in NATIVE_MODULES):
        return "late"
    sys.meta_path.insert(0, _Finder(extensions))
    return "native"


def compiled(module: ModuleType) -> bool:
    return (module.__file__ or "").endswith(EXT_SUFFIX)
