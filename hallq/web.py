"""The aiohttp application factory: the web side of the composition root.

`create_app(settings)` builds everything from settings (store, accounts, secret, live
hall) inside `cleanup_ctx`, so nothing is created at import time and shutdown runs in
reverse: stop taking connections, close sockets with GOING_AWAY, let the writer finish
every acknowledged command, close the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from callers.accounts import AccountStore
from callers.ratelimit import TokenBucket
from callers.tokens import TokenIssuer, load_or_create_secret
from hallq.bootstrap import build_application, fanout_for
from hallq.chores import HallChores
from hallq.devices import bridge_for
from hallq.live import LiveHall
from hallq.planning import build_plan_loop
from hallq.settings import Settings
from queue_core.appointments import Appointments
from queue_core.ports import Clock
from scheduler.live_loop import PlanLoop

PLAN_CHECK_S = 30.0  # how often the planner looks at each hall's triggers


@dataclass
class Services:
    """What request handlers need, in one typed place (no module-level singletons)."""

    settings: Settings
    live: LiveHall
    accounts: AccountStore
    secret: bytes
    tokens: TokenIssuer
    issue_limit: TokenBucket
    plans: PlanLoop
    appointments: Appointments


SERVICES = web.AppKey("services", Services)
SOCKETS = web.AppKey("sockets", weakref.WeakSet[web.WebSocketResponse])


def create_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    from callers.appointments_api import appointment_routes
    from callers.http_api import routes
    from callers.middlewares import error_middleware
    from displays.booking_pages import booking_routes
    from displays.pages import setup_pages
    from displays.ws_endpoint import close_sockets, ws_routes
    from hallq.guide_routes import setup_guide
    from hallq.plan_routes import plan_routes

    app = web.Application(middlewares=[error_middleware], client_max_size=64 * 1024)
    app.add_routes(routes)
    app.add_routes(plan_routes)
    app.add_routes(appointment_routes)
    app.add_routes(booking_routes)
    app.add_routes(ws_routes)
    setup_pages(app)
    setup_guide(app, settings)
    app[SOCKETS] = weakref.WeakSet()

    async def services_ctx(app: web.Application) -> AsyncIterator[None]:
        core = build_application(settings, clock)
        live = LiveHall(core, fanout=fanout_for(settings))
        await live.start()
        plans = build_plan_loop(live, settings)
        planning = asyncio.create_task(
            plans.run(PLAN_CHECK_S) if settings.planner else asyncio.sleep(0), name="hallq-planner"
        )
        appointments = Appointments(core)
        # Each hall's [appointments] table, read once here: later reads hit the cache, so
        # request handlers never reach the store for it on the event loop.
        await asyncio.to_thread(lambda: [appointments.settings(h) for h in live.halls])
        # Once per deployment, like the planner: lapses, no-shows, reminders (hallq.chores).
        chores = HallChores(live, appointments)
        chore_task = asyncio.create_task(
            chores.run() if settings.planner else asyncio.sleep(0), name="hallq-chores"
        )
        secret = load_or_create_secret(settings.secret_path)
        devices = bridge_for(live, settings, secret)  # None unless HALLQ_MQTT_URL is set
        if devices is not None:
            await devices.start()
        app[SERVICES] = Services(
            settings=settings,
            live=live,
            accounts=AccountStore(settings.accounts_path),
            secret=secret,
            tokens=TokenIssuer(secret),
            issue_limit=TokenBucket(
                rate_per_s=settings.issue_rate_per_s, burst=settings.issue_burst
            ),
            plans=plans,
            appointments=appointments,
        )
        yield
        if devices is not None:
            await devices.stop()  # before the live hall: presses in flight finish first
        chores.stop()  # finishes its round (its thread uses the store), then ends
        await chore_task
        planning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await planning
        await live.stop()
        core.close()

    app.cleanup_ctx.append(services_ctx)
    app.on_shutdown.append(close_sockets)
    return app
