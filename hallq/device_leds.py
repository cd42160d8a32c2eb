"""Hall → devices: each window's LED (retained) and the speakers, from `display:{hall}`.

The bridge listens to the display channels as a hub subscriber without a socket. A
`called` message updates its window's LED and is announced; each `board` updates any
LED whose window changed otherwise (a finish, a pause, a close). The LEDs are kept here
so that the bridge can republish all of them when it reconnects to the broker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson

from callers.device_topics import announce_topic, display_topic
from displays.device_out import LedState, announcement, led_of_call, leds_of_board
from displays.push import Subscriber
from hallq.live import LiveHall

log = logging.getLogger("hallq.devices")
QUEUE_LIMIT = 4096  # calls and boards not yet shown; on overflow the models are re-read
Send = Callable[[str, bytes, bool], None]  # (topic, payload, retain): publish, don't wait


class HallLeds:
    def __init__(self, live: LiveHall, send: Send) -> None:
        self.live, self.send = live, send
        self._leds: dict[tuple[str, int], tuple[LedState, int]] = {}  # and the seq shown
        self._subscriber: Subscriber | None = None

    def watch(self) -> None:
        """Subscribe to every hall's display channel and take each window's LED from the
        read models as they are now. Nothing awaits in between, so no call slips past."""
        self._subscriber = Subscriber("device-bridge", queue_limit=QUEUE_LIMIT)
        for hall in self.live.app.hall_ids():
            self.live.hub.subscribe(self._subscriber, f"display:{hall}")
            board = self.live.models.board.board(hall, self.live.app.day_of(hall))
            self._show_board(board, self.live.follower.position)

    def retained(self) -> list[tuple[str, bytes]]:
        """(topic, payload) of every window's LED as it is now, to republish."""
        return [
            (display_topic(hall, window), led.payload(seq))
            for (hall, window), (led, seq) in sorted(self._leds.items())
        ]

    async def follow(self) -> None:
        """Show what the hub publishes, until cancelled; `watch()` first."""
        while True:
            assert self._subscriber is not None, "HallLeds.watch() first"
            while (text := await self._subscriber.queue.get()) is not None:
                try:
                    self._show(orjson.loads(text))
                except Exception:  # one odd message must not freeze every LED
                    log.exception("LED 更新出错 / LED update failed")
            self.live.hub.unsubscribe_all(self._subscriber)
            log.warning("LED 队列溢出，重新读取 / the LEDs fell behind; re-reading the hall")
            self.watch()

    def _show(self, message: dict[str, Any]) -> None:
        hall, seq, data = message["channel"].split(":", 1)[1], message["seq"], message["data"]
        if message["type"] == "called":
            led = led_of_call(hall, data)
            self._leds[(hall, led.window)] = (led, seq)
            recall = bool(data.get("recall"))
            self.send(display_topic(hall, led.window), led.payload(seq, recall), True)
            self.send(announce_topic(hall), announcement(hall, data, seq), False)
        elif message["type"] == "board":
            self._show_board(data, seq)

    def _show_board(self, board: dict[str, Any], seq: int) -> None:
        for led in leds_of_board(board):
            key = (led.hall, led.window)
            if key not in self._leds or self._leds[key][0] != led:
                self._leds[key] = (led, seq)
                self.send(display_topic(led.hall, led.window), led.payload(seq), True)
