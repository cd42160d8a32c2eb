"""`hallq device add | list | acl`: the secret is shown once, and only at `add`."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallq.cli import main


@pytest.fixture
def devices_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "devices.json"
    monkeypatch.setenv("HALLQ_DEVICES", str(path))
    monkeypatch.delenv("HALLQ_HALLS", raising=False)
    return path


def test_add_prints_the_secret_once_and_list_and_acl_never(
    devices_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["device", "add", "btn-5", "--kind", "button", "--window", "5"]) == 0
    secret = capsys.readouterr().out.splitlines()[-1].strip()
    assert len(secret) >= 43
    assert main(["device", "list"]) == 0
    listed = capsys.readouterr().out
    assert "btn-5\tsouth-axis\tbutton\twindow 5" in listed and secret not in listed
    assert main(["device", "acl"]) == 0
    acl = capsys.readouterr().out
    assert "user btn-5\n" in acl and "topic write hallq/south-axis/window/5/button\n" in acl
    assert secret not in acl


@pytest.mark.parametrize(
    "argv",
    [
        ["btn-9", "--kind", "button", "--window", "99"],  # the hall has no window 99
        ["btn-9", "--kind", "button", "--window", "5", "--hall", "nowhere"],
        ["p-1", "--kind", "printer"],
    ],
)
def test_add_refuses_a_device_the_hall_cannot_have(
    devices_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(["device", "add", *argv]) == 1
    assert capsys.readouterr().err.startswith("✗ ")
    assert not devices_file.exists()
