"""`hallq demo`'s crowd: simulated residents and staff moving the live hall.

The crowd (`simulations.live_crowd`) starts once the live hall is up and stops before it
goes down: its cleanup context is added after the services' own, and aiohttp runs
cleanup contexts in reverse. Stopping waits for the command under way, so the writer then
drains every acknowledged command as it does for any client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from hallq.web import SERVICES
from queue_core.errors import DomainError
from queue_core.hall_spec import hall_spec_from_mapping
from simulations.crowd_day import DayPlan, plan_day
from simulations.live_crowd import Crowd
from simulations.scenario import Scenario
from simulations.scenario_toml import load_scenario

SCENARIO = "south-axis-weekday"
CROWD = web.AppKey("crowd", Crowd)
log = logging.getLogger(__name__)
CleanupContext = Callable[[web.Application], AsyncIterator[None]]


def first_day(scenario: Scenario) -> DayPlan:
    """The day the crowd plays first, as of now in the hall's own time zone."""
    zone = ZoneInfo(hall_spec_from_mapping(scenario.hall).timezone)
    return plan_day(scenario, datetime.now(zone), first=True)


def crowd_context(
    scenario: Scenario, speed: float, plan: DayPlan, seed: int | None = None
) -> CleanupContext:
    """A cleanup context that runs the crowd for as long as the app runs."""

    async def crowd_ctx(app: web.Application) -> AsyncIterator[None]:
        live = app[SERVICES].live
        loop = asyncio.get_running_loop()
        try:
            crowd = Crowd(live, loop, scenario, speed, first_day=plan, seed=seed)
        except DomainError as error:  # the hall is not configured here: serve it still
            log.warning("模拟人群未启动 no crowd: %s", error)
            yield
            return
        app[CROWD] = crowd
        crowd.start()
        yield
        await asyncio.to_thread(crowd.stop)

    return crowd_ctx


def crowd_banner(scenario: Scenario, speed: float, plan: DayPlan) -> str:
    """What the crowd does and how to turn it off, in Chinese and English."""
    start = _clock(plan.start_min)
    day_real_min = (plan.close_min - plan.start_min) / speed
    if plan.joined:
        when = f"  从现在 {start} 接着演这一天 · joins the hall's day now, at {start}\n"
    else:
        when = (
            f"  现在不在办公时间，从开门 {start} 演起 · outside opening hours: the day is"
            f" played from opening, {start}\n"
        )
    return (
        f"模拟人群 crowd: {scenario.title_zh} ({scenario.name}), {speed:g}× 实时 real time\n"
        "  居民按场景的到达曲线取号（自助机 / 手机 / 预约；绿色 / 黄色 / 普通通道），窗口叫号、办理、"
        "办结，偶有重呼、过号、转办、容缺；你在自助机取的号也会被叫到\n"
        "  residents take tickets as the scenario's arrivals say (kiosk / phone / appointment;"
        " green / yellow / blue lanes); windows call, serve and finish, sometimes recall, mark"
        " a no-show, transfer or park; tickets you take at the kiosk get called too\n"
        f"{when}"
        f"  这一天约 {day_real_min:.0f} 分钟演完，然后从开门再演一天"
        f" · this day takes about {day_real_min:.0f} min, then the next starts from opening\n"
        "  关闭 turn it off: hallq demo --speed 0 (或 or --no-crowd)"
        " · 调速 change the pace: --speed N (默认 default 10)\n"
    )


def load_crowd_scenario() -> Scenario:
    return load_scenario(SCENARIO)


def _clock(minute: float) -> str:
    whole = int(minute)
    return f"{whole // 60:02d}:{whole % 60:02d}"
