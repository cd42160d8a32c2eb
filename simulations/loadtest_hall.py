"""The hall before and after a load test: sign in, get windows open, tickets waiting; tidy up.

Everything goes through hallq's public HTTP API, as terminals, kiosks and phones use it.
One staff token acts on every window (the API lets any staff member work any window).
Windows that were already open are used as they are; closed ones are opened, and closed
again at the end; the tickets the load test took and nobody called are cancelled, so a
demo hall looks as it did before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from simulations.loadtest_ledger import SETUP, Ledger, command
from simulations.loadtest_plan import LoadPlan, LoadTestError, ticket_service
from simulations.loadtest_sources import PHONES_PER_ADDRESS, Sources

SETUP_CONCURRENCY = 16


@dataclass
class Hall:
    name: str
    run: str  # in every request id, so runs against one hall-day never collide
    token: str = ""
    services: dict[int, tuple[str, ...]] = field(default_factory=dict)  # window -> services
    opened: set[int] = field(default_factory=set)
    tokens: list[str] = field(default_factory=list)  # every ticket the load test took
    issued: int = 0  # tickets asked for so far (numbers the request ids)

    def base(self, window: int) -> str:
        return f"/api/halls/{self.name}/windows/{window}"


async def get_json(http: aiohttp.ClientSession, path: str) -> Any:
    try:
        async with http.get(path) as response:
            if response.status == 404:
                raise LoadTestError(f"找不到大厅或地址 {path} / no such hall or path: {path}")
            response.raise_for_status()
            return await response.json()
    except (aiohttp.ClientError, TimeoutError) as error:
        raise LoadTestError(
            f"无法连接 hallq 服务：{error} / cannot reach the hallq server: {error}"
        ) from None


async def sign_in(sources: Sources, ledger: Ledger, plan: LoadPlan, hall: Hall) -> None:
    body = {"username": plan.user, "password": plan.password}
    answer = await command(sources.staff, ledger, SETUP, "login", "/api/login", body)
    if answer is None:
        raise LoadTestError(
            f"员工账号 {plan.user} 登录失败（--user/--password）"
            f" / could not sign in as staff {plan.user!r} (--user/--password)"
        )
    hall.token = str(answer["token"])


async def act(
    sources: Sources, ledger: Ledger, hall: Hall, step: int, window: int, action: str, rid: str
) -> Any | None:
    """POST one window action with request id `{rid}-{action}`; the window's view, or None."""
    body = {"request_id": f"{rid}-{action}"}
    path = f"{hall.base(window)}/{action}"
    return await command(sources.staff, ledger, step, action, path, body, hall.token)


async def ready_window(
    sources: Sources, ledger: Ledger, hall: Hall, window: dict[str, Any]
) -> None:
    """Open a closed window, resume a paused one, and finish whatever it is serving."""
    n = int(window["number"])
    rid = f"lt-{hall.run}-w{n}"
    view: Any = window
    if window["status"] in ("closed", "paused"):
        action = "open" if window["status"] == "closed" else "resume"
        view = await act(sources, ledger, hall, SETUP, n, action, rid)
        if view is not None and action == "open":
            hall.opened.add(n)
    if view is not None and view.get("current"):
        await act(sources, ledger, hall, SETUP, n, "start", rid)
        view = await act(sources, ledger, hall, SETUP, n, "finish", rid)
    if view is not None and view.get("status") == "open" and view.get("services"):
        hall.services[n] = tuple(view["services"])


async def prepare(sources: Sources, ledger: Ledger, plan: LoadPlan, hall: Hall) -> None:
    """Sign in and get the first `plan.windows` windows (all, for 0) open and idle."""
    board = await get_json(sources.staff, f"/api/halls/{hall.name}/board")
    await sign_in(sources, ledger, plan, hall)
    windows = sorted(board["windows"], key=lambda w: int(w["number"]))
    chosen = windows[: plan.windows] if plan.windows > 0 else windows
    await asyncio.gather(*(ready_window(sources, ledger, hall, w) for w in chosen))
    if not hall.services:
        raise LoadTestError("没有可用的窗口 / no window could be opened")


async def issue(
    http: aiohttp.ClientSession, ledger: Ledger, hall: Hall, step: int, channel: str
) -> str | None:
    """Take the hall's next ticket through `http`; its token, or None when refused."""
    k = hall.issued
    hall.issued += 1
    body = {
        "service": ticket_service(hall.services, k),
        "channel": channel,
        "request_id": f"lt-{hall.run}-t{k}",
    }
    answer = await command(http, ledger, step, "issue", f"/api/halls/{hall.name}/tickets", body)
    if answer is None:
        return None
    token = str(answer["token"])
    ledger.numbers[token] = str(answer["ticket"]["number"])
    hall.tokens.append(token)
    return token


async def issue_backlog(sources: Sources, ledger: Ledger, hall: Hall, count: int) -> list[str]:
    """`count` tickets taken on phones (ten to an address), in order."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(k: int) -> str | None:
        async with gate:
            return await issue(
                sources.actor(k // PHONES_PER_ADDRESS), ledger, hall, SETUP, "mobile"
            )

    tokens = await asyncio.gather(*(one(k) for k in range(count)))
    await sources.close_actors()
    return [t for t in tokens if t is not None]


async def tidy(sources: Sources, ledger: Ledger, hall: Hall) -> None:
    """Cancel the tickets nobody called; close the windows the load test opened."""
    called = {number for number, _ in ledger.calls}
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    http = sources.staff

    async def cancel(token: str) -> None:
        async with gate:
            await command(http, ledger, SETUP, "cancel", f"/api/tickets/{token}", method="DELETE")

    await asyncio.gather(*(cancel(t) for t in hall.tokens if ledger.numbers.get(t) not in called))
    for n in sorted(hall.opened):
        await act(sources, ledger, hall, SETUP, n, "close", f"lt-{hall.run}-w{n}")
