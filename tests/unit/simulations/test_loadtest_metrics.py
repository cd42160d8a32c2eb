"""A step's figures from what was sent and what arrived; the knee from the figures."""

from __future__ import annotations

import json
from typing import Any

from simulations.loadtest_drivers import Step
from simulations.loadtest_ledger import IDLE, OK, Ledger, Sent
from simulations.loadtest_metrics import knee_reasons, step_figures, summary
from simulations.loadtest_receipts import Receipts
from simulations.loadtest_records import Capture
from simulations.loadtest_result import knee_of, max_sustained

S = 1_000_000_000
MS = 1_000_000
T0 = 50 * S
STEP = Step(index=0, multiplier=1.0, rate_per_s=4.0, start_ns=T0, end_ns=T0 + 2 * S)


def called(channel: str, number: str, window: int) -> str:
    data = {"number": number, "window": window}
    return json.dumps({"channel": channel, "seq": 9, "type": "called", "data": data})


def followed(token: str) -> str:
    return json.dumps({"channel": f"ticket:{token}", "seq": -1, "type": "followed", "data": {}})


def a_step(screen_ms: float = 10.0, drop_one_screen: bool = False) -> tuple[Ledger, Receipts]:
    """Eight calls in two seconds, each on two screens; phones follow the even tickets."""
    ledger, rows = Ledger(), []
    for k in range(8):
        sent, number, window = T0 + k * S // 4, f"A{k:03d}", k % 3 + 1
        ledger.sent.append(Sent(0, "call-next", sent, sent + 5 * MS, OK))
        ledger.sent.append(Sent(0, "issue", sent, sent + 4 * MS, OK))
        ledger.call(number, window, sent, 0)
        ledger.numbers[f"tok{k}"] = number
        for screen in (0, 1):
            if not (drop_one_screen and k == 3 and screen == 1):
                rows.append(
                    (screen, sent + int(screen_ms * MS), called("display:h", number, window))
                )
        if k % 2 == 0:
            rows.append((2, T0 - S, followed(f"tok{k}")))
            rows.append((2, sent + 12 * MS, called(f"ticket:tok{k}", number, window)))
    receipts = Receipts()
    receipts.absorb(Capture({}), rows)
    return ledger, receipts


def figures_of(ledger: Ledger, receipts: Receipts) -> dict[str, Any]:
    return step_figures(STEP, ledger, receipts, screens=2, drain_ns=S)


def test_summary_gives_nearest_rank_percentiles_and_nothing_for_no_values() -> None:
    assert summary([float(v) for v in range(100, 0, -1)]) == {
        "count": 100, "p50_ms": 50.0, "p95_ms": 95.0, "p99_ms": 99.0, "max_ms": 100.0,
    }  # fmt: skip
    assert summary([])["p99_ms"] is None


def test_a_step_that_kept_up_has_its_latencies_rates_and_no_knee() -> None:
    figures = figures_of(*a_step())
    assert figures["calls"] == 8
    assert figures["call_to_screen"]["count"] == 16 and figures["call_to_screen"]["p99_ms"] == 10.0
    assert figures["call_to_phone"]["count"] == 4 and figures["call_to_phone"]["p50_ms"] == 12.0
    assert figures["screen_calls_missed"] == figures["phone_calls_missed"] == 0
    assert figures["achieved_calls_per_s"] == figures["achieved_tickets_per_s"] == 4.0
    assert figures["commands"]["call-next"]["p50_ms"] == 5.0
    assert figures["deliveries"] == 20 and figures["errors"] == 0
    assert knee_reasons(figures, p99_limit_ms=100) == []


def test_a_call_missing_on_a_screen_is_counted_and_is_past_the_knee() -> None:
    figures = figures_of(*a_step(drop_one_screen=True))
    assert figures["screen_calls_missed"] == 1
    assert any("not delivered" in r for r in knee_reasons(figures, p99_limit_ms=100))


def test_a_slow_screen_puts_the_step_past_the_knee() -> None:
    reasons = knee_reasons(figures_of(*a_step(screen_ms=150.0)), p99_limit_ms=100)
    assert reasons == ["叫号→大屏 p99 150 ms > 100 ms / call→screen p99 150 ms > 100 ms"]


def test_errors_and_calls_that_found_nobody_are_told_apart() -> None:
    ledger, receipts = a_step()
    ledger.sent.append(Sent(0, "issue", T0, T0 + MS, "429 too_many_requests"))
    ledger.sent.append(Sent(0, "call-next", T0, T0 + MS, IDLE))
    figures = figures_of(ledger, receipts)
    assert figures["errors"] == 1 and figures["error_kinds"] == {"issue 429 too_many_requests": 1}
    assert figures["idle_calls"] == 1
    assert figures["answered_calls_per_s"] == 4.5 and figures["achieved_calls_per_s"] == 4.0
    assert any("1 errors" in r for r in knee_reasons(figures, p99_limit_ms=100))


def test_answers_later_than_one_slot_after_the_step_do_not_count_as_throughput() -> None:
    ledger, receipts = a_step()
    late = [s for s in ledger.sent if s.kind == "call-next"][4:]
    for s in late:
        ledger.sent[ledger.sent.index(s)] = Sent(0, s.kind, s.sent_ns, STEP.end_ns + S, OK)
    figures = figures_of(ledger, receipts)
    assert figures["achieved_calls_per_s"] == 2.0
    assert any("does not follow" in r for r in knee_reasons(figures, p99_limit_ms=10_000))


def steps_in_trouble(*troubled: bool) -> list[dict[str, Any]]:
    return [
        {"step": k + 1, "multiplier": 2**k, "offered_calls_per_s": 2 ** (k + 1),
         "knee_reasons": ["slow"] if bad else []}
        for k, bad in enumerate(troubled)
    ]  # fmt: skip


def test_the_knee_is_the_first_step_from_which_every_step_is_in_trouble() -> None:
    steps = steps_in_trouble(False, True, False, True, True)
    assert knee_of(steps) == {
        "step": 4, "multiplier": 8, "offered_calls_per_s": 16, "reasons": ["slow"],
    }  # fmt: skip
    assert max_sustained(steps) == 8


def test_a_one_off_stall_that_the_next_step_does_not_confirm_is_not_the_knee() -> None:
    steps = steps_in_trouble(False, True, False)
    assert knee_of(steps) is None and max_sustained(steps) == 8
    assert steps[1]["knee_reasons"]  # still reported


def test_when_the_first_step_is_already_in_trouble_no_rate_was_held() -> None:
    steps = steps_in_trouble(True, True)
    assert knee_of(steps) is not None and knee_of(steps)["step"] == 1  # type: ignore[index]
    assert max_sustained(steps) is None
