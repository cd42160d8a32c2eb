"""The parent's handle on the screens-and-phones process (`simulations.loadtest_clients`).

The clients run in a process of their own so that receiving thousands of messages does
not delay the kiosks' and windows' requests in this one (and the other way round).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from simulations.loadtest_plan import LoadPlan, LoadTestError
from simulations.loadtest_procs import Child
from simulations.loadtest_receipts import Receipts
from simulations.loadtest_records import Capture
from simulations.loadtest_target import Target

SETUP_TIMEOUT_S = 300.0  # connecting and subscribing every client
FEED_EVERY_S = 0.1  # new tickets reach the phones' pool in batches this often


class Audience:
    def __init__(self, child: Child, folder: Path, screens: int, phones: int, failed: int) -> None:
        self.child, self.folder = child, folder
        self.screens, self.phones, self.failed = screens, phones, failed  # subscribed or not
        self.capture = Capture({})
        self.receipts = Receipts()
        self.new_tokens: list[str] = []
        self.flushes = 0
        self._feeder = asyncio.create_task(self._feed())

    @classmethod
    async def start(
        cls, target: Target, plan: LoadPlan, tokens: list[str], folder: Path
    ) -> Audience:
        """Start the clients and wait until each has subscribed (or failed to)."""
        config = folder / "clients.json"
        config.write_text(
            json.dumps(
                {
                    "url": target.ws, "hall": plan.hall, "screens": plan.screens,
                    "phones": tokens[: plan.phones], "pool": tokens[plan.phones :],
                    "deadline_s": SETUP_TIMEOUT_S + plan.longest_s() + 120,
                }
            )
        )  # fmt: skip
        args = ["-m", "simulations.loadtest_clients", str(config)]
        child = await Child.start("clients", args, folder / "clients.log")
        try:
            _, screens, phones, failed = (await child.line(SETUP_TIMEOUT_S)).split()
        except (RuntimeError, ValueError) as error:
            await child.stop(timeout=5.0)
            raise LoadTestError(
                f"客户端进程未能启动 / the client process failed: {error}"
            ) from None
        return cls(child, folder, int(screens), int(phones), int(failed))

    def offer(self, token: str) -> None:
        """A new ticket, for a phone to follow once one is free."""
        self.new_tokens.append(token)

    async def _feed(self) -> None:
        while True:
            await asyncio.sleep(FEED_EVERY_S)
            if self.new_tokens:
                line, self.new_tokens = "tickets " + " ".join(self.new_tokens), []
                with contextlib.suppress(ConnectionError):
                    await self.child.send(line)

    async def flush(self) -> None:
        """Take in everything the clients received since the last flush."""
        self.flushes += 1
        path = self.folder / f"rows-{self.flushes}.pickle"
        try:
            await self.child.send(f"flush {path}")
            await self.child.line(60.0)
        except (RuntimeError, OSError) as error:
            raise LoadTestError(f"客户端进程出错 / the client process failed: {error}") from None
        rows, closed = len(self.capture.rows), len(self.capture.closed)
        self.capture.add(path)
        path.unlink()
        closes = [at for _, at, _ in self.capture.closed[closed:]]
        self.receipts.absorb(self.capture, self.capture.rows[rows:], closes)

    async def close(self) -> None:
        self._feeder.cancel()
        with contextlib.suppress(Exception):
            await self.child.send("stop")
        await self.child.stop(timeout=10.0, grace=5.0)
