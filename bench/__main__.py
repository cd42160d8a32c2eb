"""Run the benchmarks: `python -m bench [--quick] [core push …]`."""

from __future__ import annotations

import argparse

from bench import core, devices, push, scale, scheduler, simulation
from bench.report import publish

BENCHMARKS = {
    "core": core,
    "devices": devices,
    "push": push,
    "scale": scale,
    "scheduler": scheduler,
    "simulation": simulation,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description="hallq benchmarks: print a table, write bench/results/NAME.json"
    )
    parser.add_argument(
        "names", nargs="*", choices=[*BENCHMARKS, []], help="which benchmarks (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    args = parser.parse_args()
    for name in args.names or BENCHMARKS:
        module = BENCHMARKS[name]
        publish(name, module.run(quick=args.quick), module.TARGETS)


if __name__ == "__main__":
    main()
