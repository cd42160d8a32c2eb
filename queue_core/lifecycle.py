"""The ticket lifecycle: one table, read top to bottom.

Each row is (status before, action) -> status after. An action that is not in the table
for the ticket's status raises `IllegalTransition` and nothing is written. `transfer`
ends the ticket's stay at one service and makes it a new waiting entry for another, so it
leads back to WAITING (with the ticket marked as requeued); see DESIGN's "transferred".

A remote ticket (远程取号) starts as REMOTE: it holds its place in the queue but cannot be
called until the resident confirms arrival at a kiosk (`arrive`, which keeps its place);
if call next passed it over and it is still not confirmed after the hall's grace, it
`lapse`s, which closes it like a cancellation.
"""

from __future__ import annotations

from queue_core.errors import IllegalTransition
from queue_core.vocabulary import TicketStatus as S

TRANSITIONS: dict[tuple[S, str], S] = {
    (S.REMOTE, "arrive"): S.WAITING,
    (S.REMOTE, "lapse"): S.LAPSED,
    (S.REMOTE, "cancel"): S.CANCELLED,
    (S.WAITING, "call"): S.CALLED,
    (S.WAITING, "cancel"): S.CANCELLED,
    (S.CALLED, "recall"): S.CALLED,
    (S.CALLED, "start"): S.SERVING,
    (S.CALLED, "no_show"): S.NO_SHOW,
    (S.CALLED, "return"): S.WAITING,
    (S.CALLED, "park"): S.PARKED,
    (S.SERVING, "finish"): S.DONE,
    (S.SERVING, "transfer"): S.WAITING,
    (S.SERVING, "park"): S.PARKED,
    (S.NO_SHOW, "reinstate"): S.WAITING,
    (S.PARKED, "return"): S.WAITING,
    (S.PARKED, "cancel"): S.CANCELLED,
}

ACTIONS: frozenset[str] = frozenset(action for _, action in TRANSITIONS)

_ACTION_ZH = {
    "call": "叫号",
    "cancel": "取消",
    "recall": "重呼",
    "start": "开始办理",
    "no_show": "过号",
    "return": "退回队列",
    "park": "容缺挂起",
    "finish": "办结",
    "transfer": "转办",
    "reinstate": "恢复过号",
    "arrive": "确认到达",
    "lapse": "作废",
}
_STATUS_ZH = {
    S.REMOTE: "远程排队中",
    S.WAITING: "等候中",
    S.CALLED: "已叫号",
    S.SERVING: "办理中",
    S.DONE: "已办结",
    S.NO_SHOW: "已过号",
    S.PARKED: "容缺挂起",
    S.CANCELLED: "已取消",
    S.LAPSED: "远程号已失效",
}


def next_status(number: str, status: S, action: str) -> S:
    """The status after `action`, or `IllegalTransition` naming the ticket and both states."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(
            f"{number} 号当前状态为「{_STATUS_ZH[status]}」，不能{_ACTION_ZH.get(action, action)}",
            f"ticket {number} is {status.value}; it cannot be given '{action}'",
        ) from None


def status_name_zh(status: S) -> str:
    return _STATUS_ZH[status]
