"""The devices file: what `hallq device add` writes and the bridge reads."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from callers.device_registry import DeviceKind, DeviceRegistry, new_device


def test_a_device_is_kept_with_its_binding_and_secret(tmp_path: Path) -> None:
    registry = DeviceRegistry(tmp_path / "devices.json")
    device = new_device("kiosk-1", "south-axis", "kiosk", kiosk="lobby")
    registry.add(device, public_url="https://hall.example/")
    again = DeviceRegistry(tmp_path / "devices.json")
    assert again.get("kiosk-1") == device
    assert again.public_url() == "https://hall.example"
    assert stat.S_IMODE((tmp_path / "devices.json").stat().st_mode) == 0o600


def test_a_secret_is_long_and_never_shown(tmp_path: Path) -> None:
    device = new_device("btn-5", "south-axis", "button", window=5)
    assert len(device.secret) >= 43
    assert device.secret not in repr(device) and device.secret not in device.describe()
    assert new_device("btn-5", "south-axis", "button", window=5).secret != device.secret


def test_adding_a_device_again_replaces_its_secret(tmp_path: Path) -> None:
    registry = DeviceRegistry(tmp_path / "devices.json")
    registry.add(new_device("btn-5", "south-axis", "button", window=5))
    old = registry.get("btn-5")
    registry.add(new_device("btn-5", "south-axis", "button", window=5))
    assert old is not None and registry.get("btn-5") != old
    assert [d.id for d in registry.all()] == ["btn-5"]


def test_kinds_are_bound_to_what_they_serve() -> None:
    assert DeviceKind.BUTTON.binding == DeviceKind.LED.binding == "window"
    assert DeviceKind.KIOSK.binding == DeviceKind.PRINTER.binding == "kiosk"
    assert DeviceKind.SPEAKER.binding is None


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("btn-5", "south-axis", "buzzer"), {"window": 5}),
        (("btn-5", "south-axis", "button"), {}),
        (("btn-5", "south-axis", "button"), {"window": 0}),
        (("btn-5", "south-axis", "button"), {"kiosk": "1"}),
        (("p-1", "south-axis", "printer"), {"window": 5}),
        (("spk", "south-axis", "speaker"), {"kiosk": "1"}),
        (("btn/5", "south-axis", "button"), {"window": 5}),
        (("btn-5", "south axis", "button"), {"window": 5}),
        (("x" * 41, "south-axis", "button"), {"window": 5}),
    ],
)
def test_a_wrong_device_is_refused_in_both_languages(
    args: tuple[str, str, str], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=" / "):
        new_device(*args, **kwargs)


def test_no_file_means_no_devices(tmp_path: Path) -> None:
    assert DeviceRegistry(tmp_path / "none.json").all() == []
