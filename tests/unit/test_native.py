"""The compiled build of the hot modules (hallq.native): used whole or not at all, never
stale. `make test` runs the suite on the plain modules (HALLQ_NATIVE=0), then the tests
of the compiled modules' packages again on the build (HALLQ_NATIVE=1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

import hallq
from hallq import native
from hallq.native import BUILD, EXT_SUFFIX, NATIVE_MODULES, ROOT, activate, compiled, fresh, stamp
from tests.conftest import in_ci


def fake_build(folder: Path, **changes: object) -> Path:
    """A build's manifest as of today's sources, with (empty) files for its extensions."""
    extensions = {m: m.replace(".", "/") + EXT_SUFFIX for m in NATIVE_MODULES}
    for path in extensions.values():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).touch()
    manifest = stamp() | {"extensions": extensions} | changes
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def edited(path: str) -> dict[str, str]:
    return stamp()["sources"] | {path: "0" * 64}


def test_a_build_of_todays_sources_is_fresh_and_any_change_makes_it_stale(tmp_path: Path) -> None:
    assert fresh(fake_build(tmp_path / "same"))
    # Not only the compiled modules: the types they were compiled against.
    assert not fresh(fake_build(tmp_path / "edited", sources=edited("queue_core/ticket.py")))
    fewer = dict(stamp()["sources"])
    del fewer["queue_core/call_rules.py"]
    assert not fresh(fake_build(tmp_path / "fewer", sources=fewer))
    assert not fresh(fake_build(tmp_path / "other-python", ext_suffix=".cpython-39-x.so"))
    other = stamp()["versions"] | {"eventsourcing": "9.4.0"}
    assert not fresh(fake_build(tmp_path / "other-library", versions=other))
    assert not fresh(tmp_path / "nothing-here")


def test_a_build_missing_a_module_or_with_a_damaged_manifest_is_not_used(tmp_path: Path) -> None:
    lacking = fake_build(tmp_path / "lacking")
    (lacking / ("displays/publisher" + EXT_SUFFIX)).unlink()
    assert not fresh(lacking)
    for damage in ("", "[]", '{"ext_suffix": 1}', "{"):
        damaged = fake_build(tmp_path / f"damaged-{len(damage)}")
        (damaged / "manifest.json").write_text(damage)
        assert not fresh(damaged)


def test_activation_declines_without_touching_the_import_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finders = list(sys.meta_path)
    monkeypatch.delenv("HALLQ_NATIVE", raising=False)
    assert activate(tmp_path / "nothing-here") == "absent"
    stale = fake_build(tmp_path / "edited", sources=edited("projections/shadow.py"))
    assert activate(stale) == "stale"
    for module in NATIVE_MODULES:  # once one is loaded (plain or compiled), it is too late
        import_module(module)
    assert activate(fake_build(tmp_path / "fresh")) == "late"
    for off in ("0", "false", "OFF"):
        monkeypatch.setenv("HALLQ_NATIVE", off)
        assert activate(fake_build(tmp_path / "fresh")) == "off"
    assert sys.meta_path == finders


def loaded_in_new_process(setting: str) -> dict[str, str]:
    """What `import hallq` then the hot modules give in a new interpreter."""
    script = (
        "import hallq, importlib, json\n"
        f"files = {{m: importlib.import_module(m).__file__ for m in {NATIVE_MODULES!r}}}\n"
        "print(json.dumps({'state': hallq.NATIVE, 'files': files}))\n"
    )
    env = os.environ | {"HALLQ_NATIVE": setting}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def require_build() -> None:
    if not fresh(BUILD):
        message = "no fresh compiled build: `python -m hallq.native_build` (make install runs it)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def test_a_process_loads_every_hot_module_compiled_or_every_one_plain() -> None:
    require_build()
    built = loaded_in_new_process("1")
    assert built["state"] == "native"
    for module, file in built["files"].items():
        assert file == str(BUILD / module.replace(".", "/")) + EXT_SUFFIX
    plain = loaded_in_new_process("0")
    assert plain["state"] == "off"
    assert plain["files"] == {m: str(ROOT / m.replace(".", "/")) + ".py" for m in NATIVE_MODULES}


@pytest.mark.skipif(os.environ.get("HALLQ_NATIVE") != "1", reason="only in the compiled pass")
def test_the_compiled_pass_really_runs_the_compiled_modules() -> None:
    """`make test` runs the compiled pass only when a build is there (and fails in CI
    when none is): here it must be the one in use."""
    assert hallq.NATIVE == "native"
    assert all(compiled(import_module(m)) for m in NATIVE_MODULES)


def test_a_library_missing_from_the_environment_makes_a_build_stale_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = fake_build(tmp_path / "built-with-mypy")
    monkeypatch.setattr(native, "SHAPED_BY", (*native.SHAPED_BY, "no-such-distribution"))
    assert stamp()["versions"]["no-such-distribution"] is None
    monkeypatch.delenv("HALLQ_NATIVE", raising=False)
    assert activate(build) == "stale"
