"""HTTP sessions for the load test's actors, each kiosk and phone from an address of its own.

The server limits how fast one client address may take tickets (`HALLQ_ISSUE_RATE`, 1 a
second after a burst of 20 by default), as it should: in a hall every kiosk and phone is
a client of its own. So on IPv4 every virtual kiosk (each issuing at most
`loadtest_plan.KIOSK_RATE_PER_S`), and every group of ten phones, sends from its own
loopback address (127.1.x.y; Linux routes all of 127.0.0.0/8 to the loopback interface),
and the load test measures the server, not its limiter. Staff terminals share one
session from 127.0.0.1.
"""

from __future__ import annotations

import aiohttp

from simulations.loadtest_target import Target

TIMEOUT = aiohttp.ClientTimeout(total=15)
ADDRESSES = 250 * 250  # 127.1.0.1 … 127.1.249.250
PHONES_PER_ADDRESS = 10  # within the server's default burst of 20


def source_address(key: int) -> str:
    """The loopback address of actor `key` (0 ≤ key < ADDRESSES), never 127.0.0.1."""
    if not 0 <= key < ADDRESSES:
        raise ValueError(f"no loopback address for actor {key}")
    return f"127.1.{key // 250}.{key % 250 + 1}"


class Sources:
    """One session per actor key, opened when first asked for; `close()` closes them all."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.staff = self._open(None, limit=0)
        self._sessions: dict[int, aiohttp.ClientSession] = {}

    def _open(self, address: str | None, limit: int) -> aiohttp.ClientSession:
        local = (address, 0) if address else None
        connector = aiohttp.TCPConnector(limit=limit, local_addr=local)
        return aiohttp.ClientSession(self.target.http, timeout=TIMEOUT, connector=connector)

    def actor(self, key: int) -> aiohttp.ClientSession:
        """The session of actor `key`: its own address on IPv4, the staff's on IPv6."""
        if not self.target.ipv4:
            return self.staff
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = self._open(source_address(key), limit=8)
        return found

    async def close_actors(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()

    async def close(self) -> None:
        await self.close_actors()
        await self.staff.close()
