"""One step's figures from what was sent and what arrived, and whether it is past the knee.

Latency of a command: its HTTP round trip. Call → screen (→ phone): from just before the
call-next request was sent to the arrival of its `called` message on a hall screen (on
the called resident's phone). Throughput: the step's tickets and calls answered within
the step (plus one slot's grace, 1 / rate) per second, beside the offered rate.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from simulations.loadtest_drivers import Step
from simulations.loadtest_ledger import IDLE, OK, Ledger, Sent
from simulations.loadtest_receipts import Receipts
from simulations.loadtest_records import percentile

COMMANDS = ("issue", "call-next", "start", "finish")
PHONE_MARGIN_NS = 500_000_000  # a phone that took its ticket up this long before is subscribed
FOLLOWING = 0.9  # throughput below this share of the offered rate: the server is not keeping up


def summary(values: list[float]) -> dict[str, Any]:
    """Count, p50/p95/p99 (nearest rank) and max in ms, rounded to 0.01; None when empty."""
    if not values:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "count": len(values),
        **{f"p{p}_ms": round(percentile(values, p), 2) for p in (50, 95, 99)},
        "max_ms": round(max(values), 2),
    }


def answered_by(sent: list[Sent], kind: str, deadline_ns: int, outcomes: tuple[str, ...]) -> int:
    return sum(
        1 for s in sent if s.kind == kind and s.outcome in outcomes and s.done_ns <= deadline_ns
    )


def step_figures(
    step: Step, ledger: Ledger, receipts: Receipts, screens: int, drain_ns: int
) -> dict[str, Any]:
    """The step's figures (see `simulations.loadtest_report.KEYS` for their meaning)."""
    sent = ledger.of_step(step.index)
    answered = [s for s in sent if s.outcome in (OK, IDLE)]
    calls = {call: ns for call, (ns, k) in ledger.calls.items() if k == step.index}
    numbers = {number: token for token, number in ledger.numbers.items()}
    screen_ms = receipts.latencies_ms(calls, phones=False)
    phone_ms = receipts.latencies_ms(calls, phones=True)
    expected = receipts.phones_expected(calls, numbers, PHONE_MARGIN_NS)
    grace = step.end_ns + int(1e9 / step.rate_per_s)
    errors = Counter(f"{s.kind} {s.outcome}" for s in sent if s.outcome not in (OK, IDLE))
    end = step.end_ns + drain_ns
    return {
        "step": step.index + 1,
        "multiplier": step.multiplier,
        "seconds": round(step.seconds, 3),
        "offered_tickets_per_s": step.rate_per_s,
        "achieved_tickets_per_s": answered_by(sent, "issue", grace, (OK,)) / step.seconds,
        "offered_calls_per_s": step.rate_per_s,
        "achieved_calls_per_s": answered_by(sent, "call-next", grace, (OK,)) / step.seconds,
        "answered_calls_per_s": answered_by(sent, "call-next", grace, (OK, IDLE)) / step.seconds,
        "commands_per_s": len(answered) / step.seconds,
        "idle_calls": sum(1 for s in sent if s.outcome == IDLE),
        "commands": {k: summary([s.ms for s in answered if s.kind == k]) for k in COMMANDS},
        "call_to_screen": summary(screen_ms),
        "call_to_phone": summary(phone_ms),
        "calls": len(calls),
        "screen_calls_missed": max(0, len(calls) * screens - len(screen_ms)),
        "phone_calls_missed": max(0, expected - len(phone_ms)),
        "deliveries": receipts.deliveries_between(step.start_ns, end),
        "deliveries_per_s": receipts.deliveries_between(step.start_ns, end) / step.seconds,
        "closed_clients": sum(1 for at in receipts.closed if step.start_ns <= at <= end),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }


def knee_reasons(figures: dict[str, Any], p99_limit_ms: float) -> list[str]:
    """Why this step is past the knee (zh / en), or nothing when it is not."""
    reasons = []
    if figures["errors"]:
        reasons.append(f"出错 {figures['errors']} 次 / {figures['errors']} errors")
    slow = [("叫号→大屏", "call→screen", figures["call_to_screen"]),
            ("叫号→手机", "call→phone", figures["call_to_phone"]),
            *((f"命令 {k}", f"command {k}", figures["commands"][k]) for k in COMMANDS)]  # fmt: skip
    for zh, en, lat in slow:
        if lat["p99_ms"] is not None and lat["p99_ms"] > p99_limit_ms:
            reasons.append(
                f"{zh} p99 {lat['p99_ms']:.0f} ms > {p99_limit_ms:.0f} ms"
                f" / {en} p99 {lat['p99_ms']:.0f} ms > {p99_limit_ms:.0f} ms"
            )
    for what, zh, en in (("tickets", "取号", "tickets"), ("calls", "叫号", "calls")):
        got = figures["answered_calls_per_s" if what == "calls" else "achieved_tickets_per_s"]
        offered = figures[f"offered_{what}_per_s"]
        if got < FOLLOWING * offered:
            reasons.append(
                f"{zh}吞吐 {got:.1f}/s 跟不上 {offered:.1f}/s"
                f" / {en} throughput {got:.1f}/s does not follow the offered {offered:.1f}/s"
            )
    missed = figures["screen_calls_missed"] + figures["phone_calls_missed"]
    if missed or figures["closed_clients"]:
        reasons.append(
            f"漏推 {missed} 条，断开 {figures['closed_clients']} 个客户端"
            f" / {missed} calls not delivered, {figures['closed_clients']} clients closed"
        )
    return reasons
