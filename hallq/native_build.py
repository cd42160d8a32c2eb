"""`python -m hallq.native_build`: compile the hot modules with mypyc (see hallq.native).

Kept apart from `hallq.native`, which every process runs at start-up: mypyc and
setuptools are needed only here.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hallq.native import BUILD, EXT_SUFFIX, NATIVE_MODULES, ROOT, fresh, source, stamp


def build(folder: Path = BUILD) -> bool:
    """Compile NATIVE_MODULES into `folder` unless it holds a fresh build already; True if
    it built. It builds beside `folder` and then swaps the two, so a process starting
    meanwhile finds the old build whole or the new one whole, never a mixture, and a
    failed build leaves the old one as it was (stale, so unused)."""
    if fresh(folder):
        return False
    from mypyc.build import mypycify  # only for building: not a dependency at run time
    from setuptools import Distribution

    stamped = stamp()  # before compiling: an edit meanwhile makes the build stale
    folder.parent.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="native-", dir=folder.parent) as tmp:
        new = Path(tmp) / "native"
        os.chdir(ROOT)  # mypy reads the project's configuration and finds its packages here
        try:
            paths = [str(source(m).relative_to(ROOT)) for m in NATIVE_MODULES]
            extensions = mypycify(paths, target_dir=str(Path(tmp) / "c"), opt_level="3")
            dist = Distribution({"name": "hallq-native", "ext_modules": extensions})
            command: Any = dist.get_command_obj("build_ext")
            command.build_lib, command.build_temp = str(new), str(Path(tmp) / "o")
            dist.run_command("build_ext")
        finally:
            os.chdir(here)
        built = {}  # module -> its extension, relative to the build (mypyc's shared one too)
        for path in new.rglob("*" + EXT_SUFFIX):
            relative = str(path.relative_to(new))
            built[relative.removesuffix(EXT_SUFFIX).replace("/", ".")] = relative
        missing = set(NATIVE_MODULES) - set(built)
        if missing:
            raise RuntimeError(f"mypyc built no extension for {sorted(missing)}")
        manifest = stamped | {"extensions": built}
        (new / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        if folder.exists():
            folder.rename(Path(tmp) / "old")  # removed with `tmp`
        new.rename(folder)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv):
        print("usage: python -m hallq.native_build", file=sys.stderr)
        return 2
    try:
        built = build()
    except (Exception, SystemExit) as error:  # no compiler; mypyc exits on a type error
        print(
            f"hallq.native: 编译失败，使用纯 Python 运行 · build failed, running plain Python: {error}",
            file=sys.stderr,
        )
        return 1
    state = "built" if built else "up to date"
    print(
        f"hallq.native: {len(NATIVE_MODULES)} 个模块已编译 · modules compiled ({state}) in {BUILD}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
