"""The real `Fanout`: Redis pub/sub, one channel per hall and store.

A message is `{origin}:{position}` on `hallq:{store}:saved:{hall}`: small, and a process
that misses one (Redis restarting, a slow subscriber) loses only speed, because the next
poll or save reads the store anyway. Pub/sub rather than Streams for that reason: the
store is the durable log, Redis only rings the bell.

Redis down: `announce` drops the message (after one log line, and without trying again
for `RETRY_S`, so commands never wait on a connect timeout), the listener reconnects
with a capped backoff and, once back, asks for a catch-up read for every hall.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections.abc import Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hallq.fanout import Heard

log = logging.getLogger("hallq.fanout")

RETRY_S = 1.0  # after a failed publish, announcements are dropped this long
BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0)  # between the listener's reconnect attempts
TIMEOUT_S = 1.0
KEEPALIVE = {socket.TCP_KEEPIDLE: 5, socket.TCP_KEEPINTVL: 2, socket.TCP_KEEPCNT: 3}


class RedisFanout:
    def __init__(self, url: str, store: str) -> None:
        self.url = url
        self.prefix = f"hallq:{store}:saved:"
        self.origin = uuid.uuid4().hex
        self._client = aioredis.from_url(
            url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S
        )
        # The listener blocks in a read for as long as the hall is quiet: no read timeout.
        # A Redis that stops closes the connection, which ends the read; one that vanishes
        # (host down, network cut) is found by TCP keepalive within about 11 s.
        self._listener = aioredis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_S,
            socket_keepalive=True,
            socket_keepalive_options=KEEPALIVE,
        )
        self._pending: dict[str, int] = {}  # hall -> newest position not yet announced
        self._wake = asyncio.Event()
        self._down_until = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()  # the listener is subscribed (tests wait on it)
        self.subscriptions = 0  # how many times the listener has (re)subscribed

    async def start(self, halls: Iterable[str], heard: Heard) -> None:
        channels = {self.prefix + hall: hall for hall in halls}
        self._tasks = [
            asyncio.create_task(self._listen(channels, heard), name="hallq-fanout-listen"),
            asyncio.create_task(self._send(), name="hallq-fanout-send"),
        ]

    def announce(self, hall: str, position: int) -> None:
        if self.dropping():
            return  # Redis was just found down: others poll the store meanwhile
        if position > self._pending.get(hall, 0):
            self._pending[hall] = position
            self._wake.set()

    def dropping(self) -> bool:
        """Announcements are being dropped: Redis was found down moments ago."""
        return time.monotonic() < self._down_until

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._client.aclose()
        await self._listener.aclose()

    async def _send(self) -> None:
        """One publisher task: announcements made while a publish is in flight coalesce
        into one per hall (the newest position says all the older ones did)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            pending, self._pending = self._pending, {}
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for hall, position in pending.items():
                        pipe.publish(self.prefix + hall, f"{self.origin}:{position}")
                    await pipe.execute()
            except Exception as error:  # the sender must outlive any failure
                if self._down_until < time.monotonic():
                    log.warning(
                        "Redis 不可达，推送仅限本进程，其他进程轮询数据库 · Redis unreachable "
                        "(%s): pushes stay in this process, the others poll the store",
                        error,
                    )
                self._down_until = time.monotonic() + RETRY_S

    async def _listen(self, channels: dict[str, str], heard: Heard) -> None:
        attempt = 0
        while True:
            pubsub = self._listener.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*channels)
                if attempt:
                    log.warning("Redis 已恢复 · Redis is back: fan-out resumes")
                # Whatever was announced before this subscription (while starting, or
                # during an outage) was missed: read the store's tail.
                for hall in channels.values():
                    heard(hall, -1)
                attempt = 0
                self.subscriptions += 1
                self.connected.set()
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None and message["type"] == "message":
                        self._hear(message, channels, heard)
            except Exception as error:  # the listener must outlive any failure
                self.connected.clear()
                delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                if attempt == 0:
                    log.warning(
                        "Redis 连接中断，%.1f 秒后重连 · Redis connection lost (%s); "
                        "retrying with backoff",
                        delay,
                        error,
                    )
                attempt += 1
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()

    def _hear(self, message: dict[str, Any], channels: dict[str, str], heard: Heard) -> None:
        origin, _, position = message["data"].decode(errors="replace").partition(":")
        hall = channels.get(message["channel"].decode(errors="replace"))
        if origin != self.origin and hall is not None and position.isdigit():
            heard(hall, int(position))
