"""Compare the server's CPU per call of this checkout with another commit's, measured at
the same time: `python -m bench.push_ab REF [--rounds N] [--seconds S]`.

On these machines one server's CPU per call moves by ±8 % from one 15 s round to the
next, and by much more within an hour, so a change worth a few percent cannot be seen
by measuring the two versions one after the other. Here both run the push benchmark's
hall (`bench.push.run_ours`: 2,000 phones, 50 screens, 20 windows calling 10 times a
second) side by side, each with its own clients, in the same seconds: what slows the
machine slows both. The same commit against itself gave 0.991 in a 15 s round. CPU
time is read in 10 ms ticks: about ±1 % per server in a 30 s round, so take the median
of several rounds.

"This checkout" is the working tree, uncommitted changes included. REF is checked out in
a temporary git worktree, removed at the end; its server runs with this checkout's
virtual environment, and both halls are set up by this checkout's benchmark code. Only
this checkout has a compiled build of the hot modules (hallq.native), if any: with
HALLQ_NATIVE=0 both run plain Python and the code alone is compared. Prints
each round and the median of (this checkout ÷ REF) server CPU per call, and writes it to
bench/results/push_ab.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.procs import ROOT, log, raise_open_files
from bench.push import Scenario, run_ours, server_modules

RESULT = ROOT / "bench" / "results" / "push_ab.json"


async def one_round(s: Scenario, trees: dict[str, Path], folder: Path) -> dict[str, float]:
    """Both servers' CPU ms per call, measured over the same seconds."""
    names = list(trees)
    phases = await asyncio.gather(*(run_ours(s, folder / name, tree=trees[name]) for name in names))
    figures = {}
    for name, (phase, calls) in zip(names, phases, strict=True):
        if calls.errors:
            raise RuntimeError(f"{name}: {sum(calls.errors.values())} calls failed")
        figures[name] = phase.server_cpu_s / max(len(calls.sent_ns), 1) * 1e3
    return figures


def compare(ref: str, rounds: int, s: Scenario) -> dict[str, Any]:
    raise_open_files(4 * (s.phones + s.displays) + 2048)
    per_round: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="hallq-push-ab-") as tmp:
        other = Path(tmp) / "ref"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(other), ref],
            check=True,
        )
        try:
            for n in range(rounds):
                # Alternate which server starts first: neither always gets the head start.
                trees = {"this": ROOT, "ref": other} if n % 2 == 0 else {"ref": other, "this": ROOT}
                figures = asyncio.run(one_round(s, trees, Path(tmp) / f"round-{n}"))
                per_round.append(figures)
                log(
                    f"round {n + 1}/{rounds}: this {figures['this']:.2f} ms, "
                    f"{ref} {figures['ref']:.2f} ms per call "
                    f"(ratio {figures['this'] / figures['ref']:.3f})"
                )
        finally:
            removed = subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False
            )
            if removed.returncode != 0:  # the directory goes with `tmp`: forget it in git
                subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)
    ratios = [r["this"] / r["ref"] for r in per_round]
    return {
        "ref": ref,
        "rounds": per_round,
        "ratios": ratios,
        "median_ratio": statistics.median(ratios),
        "this_median_ms_per_call": statistics.median(r["this"] for r in per_round),
        "ref_median_ms_per_call": statistics.median(r["ref"] for r in per_round),
        "seconds_per_round": s.duration_s,
        "this_modules": server_modules(),
        "ref_modules": "plain",  # a new worktree has no compiled build
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the commit to compare with (e.g. HEAD~1, main)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured per round")
    args = parser.parse_args()
    result = compare(args.ref, args.rounds, Scenario(duration_s=args.seconds))
    print(f"{'round':>5}  {'this ms/call':>12}  {'ref ms/call':>11}  {'this ÷ ref':>10}")
    for n, (r, ratio) in enumerate(zip(result["rounds"], result["ratios"], strict=True), 1):
        print(f"{n:>5}  {r['this']:>12.2f}  {r['ref']:>11.2f}  {ratio:>10.3f}")
    print(f"median this ÷ {args.ref}: {result['median_ratio']:.3f}")
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
