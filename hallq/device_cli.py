"""`hallq device add | list | acl | simulate`: the hall's MQTT devices."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from hallq.settings import Settings

KINDS_ZH = {
    "button": "按键",
    "led": "LED 屏",
    "kiosk": "取号机",
    "printer": "打印机",
    "speaker": "音箱",
}


def add_device_parser(sub: Any) -> None:
    device = sub.add_parser("device", help="MQTT devices: LEDs, buttons, kiosks 大厅设备")
    devices = device.add_subparsers(dest="device_command", required=True)
    add = devices.add_parser("add", help="register a device and print its secret once 登记设备")
    add.add_argument("id", help="device id, e.g. btn-5 (also its broker username)")
    add.add_argument("--hall", default="south-axis")
    add.add_argument("--kind", required=True, choices=list(KINDS_ZH))
    where = add.add_mutually_exclusive_group()
    where.add_argument("--window", type=int, help="the window of a button or LED")
    where.add_argument("--kiosk", help="the kiosk of a kiosk or printer, e.g. 1")
    add.add_argument("--public-url", help="the server as phones reach it, for printed QR codes")
    add.set_defaults(func=cmd_add)
    devices.add_parser("list", help="list devices (no secrets) 列出设备").set_defaults(
        func=cmd_list
    )
    devices.add_parser("acl", help="print a Mosquitto acl_file 生成 ACL").set_defaults(func=cmd_acl)
    sim = devices.add_parser("simulate", help="play LEDs, buttons, a printer 模拟设备演示")
    sim.add_argument(
        "--mqtt", help="broker URL (default: $HALLQ_MQTT_URL or mqtt://127.0.0.1:1883)"
    )
    sim.add_argument("--hall", default="south-axis")
    sim.add_argument("--windows", default="1,2,5", type=window_list, help="e.g. 1,2,5")
    sim.add_argument("--press-every", type=float, default=3.0, metavar="S", help="seconds")
    sim.add_argument("--rounds", type=int, default=0, help="stop after N rounds (0: Ctrl+C)")
    sim.set_defaults(func=cmd_simulate)


def window_list(text: str) -> tuple[int, ...]:
    try:
        windows = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("窗口号如 1,2,5 / windows like 1,2,5") from None
    if not windows or min(windows) < 1:
        raise argparse.ArgumentTypeError("窗口号如 1,2,5 / windows like 1,2,5")
    return windows


def hall_spec_of(settings: Settings, hall: str) -> Any:
    """The configured hall `hall` (from HALLQ_HALLS), or None when it is not one."""
    from hallq.bootstrap import load_hall_document
    from queue_core.hall_spec import hall_spec_from_mapping

    for path in settings.hall_files:
        spec = hall_spec_from_mapping(load_hall_document(Path(path)))
        if spec.id == hall:
            return spec
    return None


def cmd_add(args: argparse.Namespace) -> int:
    from callers.device_registry import DeviceRegistry, new_device
    from queue_core.errors import DomainError

    settings = Settings.from_env()
    try:
        device = new_device(args.id, args.hall, args.kind, args.window, args.kiosk)
        spec = hall_spec_of(settings, args.hall)
        if spec is None:
            raise ValueError(f"没有此大厅：{args.hall} / no hall {args.hall!r} in HALLQ_HALLS")
        if device.window is not None:
            spec.window(device.window)  # UnknownWindow for a window the hall has not
    except DomainError as error:  # the hall has no such window
        print(f"✗ {error.message_zh} / {error.message_en}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    DeviceRegistry(settings.devices_path).add(device, args.public_url)
    print(
        f"✓ 已登记{KINDS_ZH[args.kind]} {device.id} / registered {device.describe()}"
        f" in {settings.devices_path}"
    )
    print("密钥只显示这一次，请写入设备 / the secret, shown this once (put it in the device):")
    print(f"  {device.secret}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from callers.device_registry import DeviceRegistry

    devices = DeviceRegistry(Settings.from_env().devices_path).all()
    if not devices:
        print("还没有设备 / no devices yet (hallq device add ID --kind K …)")
    for device in devices:
        where = (
            f"window {device.window}"
            if device.window
            else f"kiosk {device.kiosk}"
            if device.kiosk
            else "hall"
        )
        print(f"{device.id}\t{device.hall}\t{device.kind.value}\t{where}")
    return 0


def cmd_acl(args: argparse.Namespace) -> int:
    from callers.device_acl import mosquitto_acl
    from callers.device_registry import DeviceRegistry

    print(mosquitto_acl(DeviceRegistry(Settings.from_env().devices_path).all()), end="")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    import aiomqtt

    from callers.device_registry import DeviceRegistry
    from hallq.device_sim import Simulation, simulate
    from hallq.mqtt_link import Broker

    settings = Settings.from_env()
    spec = hall_spec_of(settings, args.hall)
    if spec is None:
        print(f"✗ 没有此大厅 / no hall {args.hall!r} in HALLQ_HALLS", file=sys.stderr)
        return 1
    skills = {w.number: w.default_services for w in spec.windows}
    sim = Simulation(
        broker=Broker.from_url(args.mqtt or settings.mqtt_url or "mqtt://127.0.0.1:1883"),
        hall=spec.id,
        windows=args.windows,
        services=tuple(sorted({s for n in args.windows for s in skills.get(n, ())})),
        press_every_s=args.press_every,
        rounds=args.rounds,
    )
    print(
        f"模拟 {spec.name_zh} 的设备，按 Ctrl+C 停止 / simulating the devices of {spec.name_en};"
        f" Ctrl+C stops · broker {sim.broker.host}:{sim.broker.port}",
        flush=True,
    )
    try:
        asyncio.run(simulate(sim, DeviceRegistry(settings.devices_path), sys.stdout))
    except KeyboardInterrupt:
        pass
    except aiomqtt.MqttError as error:
        print(f"✗ 连不上 MQTT / cannot reach the broker: {error}", file=sys.stderr)
        return 1
    print("已停止 / stopped")
    return 0
