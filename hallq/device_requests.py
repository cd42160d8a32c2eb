"""Devices → hall: presses and ticket requests carried out, device status to the cockpit.

Each message is read and checked (`callers.device_messages`); what is not a proven
device's is logged in zh and en and dropped. A press or a request becomes commands run
through `LiveHall.execute`, one at a time per window or kiosk (a call-next must not
overtake the finish pressed before it), and is answered on `…/result`; a ticket issued
from a kiosk is sent to its printer. A device going online or offline is published on
the cockpit channel of its hall.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from callers.device_bridge import (
    accepted,
    command_request_id,
    issue_command,
    press_commands,
    refused,
)
from callers.device_messages import ButtonPress, DeviceStatus, KioskRequest, read_device_message
from callers.device_registry import DeviceRegistry
from callers.device_topics import BadDeviceMessage, print_topic, result_topic, status_topic
from displays.device_out import ticket_print
from hallq.device_leds import Send
from hallq.live import LiveHall
from projections.ticket_status import token_digest
from queue_core.errors import DomainError
from queue_core.outcome import Outcome

log = logging.getLogger("hallq.devices")


@dataclass(frozen=True)
class Verdict:
    """What became of one device message: `done`, `refused` (by the hall, or a proven
    device's bad request: it was told why), `dropped` (not proven to come from a device)
    or `status`. For tests and the benchmark to wait on instead of sleeping."""

    topic: str
    outcome: str
    reason: str = ""


class DeviceRequests:
    def __init__(
        self,
        live: LiveHall,
        registry: DeviceRegistry,
        ticket_token: Callable[[str, str], str],
        send: Send,
        *,
        wall_s: Callable[[], float] = time.time,
        observe: Callable[[Verdict], None] | None = None,
    ) -> None:
        self.live, self.registry, self.send = live, registry, send
        self.ticket_token = ticket_token  # (hall, request id) -> the resident's token
        self.wall_s, self.observe = wall_s, observe
        self.online: dict[str, bool] = {}  # device id -> as last told to the cockpit
        self.running: set[asyncio.Task[None]] = set()  # requests being carried out
        self._units: dict[tuple[str, str], asyncio.Lock] = {}

    def receive(self, topic: str, payload: Any) -> None:
        """One message from the broker; never raises."""
        try:
            data = payload if isinstance(payload, bytes) else str(payload).encode()
            message = read_device_message(topic, data, self.registry, self.wall_s())
        except BadDeviceMessage as error:
            self._drop(topic, error)
            return
        except Exception:  # a bug must not take the bridge down with it
            log.exception("设备消息处理出错 / device message failed: %s", topic[:120])
            return
        if isinstance(message, DeviceStatus):
            self._status(message)
        else:
            task = asyncio.create_task(self._carry_out(topic, message))
            self.running.add(task)
            task.add_done_callback(self.running.discard)

    def _drop(self, topic: str, error: BadDeviceMessage) -> None:
        told = error.device is not None and not topic.endswith("/status")
        log.warning(
            "设备消息已丢弃：%s / device message dropped: %s (topic %s)",
            error.message_zh,
            error.message_en,
            topic[:120],
        )
        if told:
            self.send(result_topic(topic), orjson.dumps(refused("", error)), False)
        self._verdict(topic, "refused" if told else "dropped", error.message_en)

    async def _carry_out(self, topic: str, message: ButtonPress | KioskRequest) -> None:
        if isinstance(message, ButtonPress):
            unit = f"window/{message.window}"
        else:
            unit = f"kiosk/{message.kiosk}"
        async with self._units.setdefault((message.hall, unit), asyncio.Lock()):
            try:
                outcome = await self._execute(message)
            except DomainError as error:
                log.info(
                    "设备请求被拒：%s / device request refused: %s (%s)",
                    error.message_zh,
                    error.message_en,
                    message.device,
                )
                answer = refused(message.request_id, error)
                self.send(result_topic(topic), orjson.dumps(answer), False)
                self._verdict(topic, "refused", error.message_en)
                return
            except Exception:  # e.g. the hall is shutting down
                log.exception("设备请求执行出错 / device request failed: %s", topic)
                return
        log.info(
            "设备请求完成 / device request done: %s %s → %s %s",
            message.device,
            message.action if isinstance(message, ButtonPress) else message.service,
            outcome.event,
            outcome.ticket or "",
        )
        self.send(result_topic(topic), orjson.dumps(accepted(message.request_id, outcome)), False)
        self._verdict(topic, "done", outcome.ticket or "")

    async def _execute(self, message: ButtonPress | KioskRequest) -> Outcome:
        if isinstance(message, ButtonPress):
            for command in press_commands(message, self._current_status(message)):
                outcome = await self.live.execute(command)
            return outcome
        request_id = command_request_id(message.device, message.request_id)
        token = self.ticket_token(message.hall, request_id)
        outcome = await self.live.execute(issue_command(message, token_digest(token)))
        # A retry prints again: what the kiosk missed may be the print itself.
        self._print(message, outcome.ticket or "", token)
        return outcome

    def _current_status(self, press: ButtonPress) -> str | None:
        app = self.live.app
        day = app.day_of(press.hall)
        view = self.live.models.windows.view(press.hall, day, press.window, app.clock.now())
        return view["current"]["status"] if view["current"] else None

    def _print(self, request: KioskRequest, number: str, token: str) -> None:
        hall, app = request.hall, self.live.app
        status = self.live.models.tickets.status(hall, app.day_of(hall), number, app.clock.now())
        if status is not None:
            url = f"{self.registry.public_url()}/t/{token}"
            payload = ticket_print(
                app.hall_spec(hall), request.kiosk, status, url, request.request_id
            )
            self.send(print_topic(hall, request.kiosk), payload, False)

    def _status(self, status: DeviceStatus) -> None:
        device, state = status.device, "online" if status.online else "offline"
        if self.online.get(device.id) != status.online:
            self.online[device.id] = status.online
            log.info(
                "设备%s / device %s is %s",
                "上线" if status.online else "离线",
                device.describe(),
                state,
            )
            data = {
                "device": device.id,
                "kind": device.kind.value,
                "window": device.window,
                "kiosk": device.kiosk,
                "state": state,
                "at": datetime.fromtimestamp(self.wall_s(), UTC).isoformat(),
            }
            channel = f"cockpit:{device.hall}"
            self.live.hub.publish(channel, self.live.follower.position, "device", data)
        self._verdict(status_topic(device.hall, device.id), "status", state)

    def _verdict(self, topic: str, outcome: str, reason: str) -> None:
        if self.observe is not None:
            self.observe(Verdict(topic, outcome, reason))
