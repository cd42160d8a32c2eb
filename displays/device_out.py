"""What the hall's devices are sent: a window's LED, the speakers' words, a printed ticket.

Pure: built from the push messages of `display:{hall}` (a `called` per call or recall, a
`board` with every window's state) and from the read models' ticket status, as UTF-8
JSON. The bridge (`hallq/devices.py`) publishes them. The spoken words are the hall
screen's (displays/static/screen.js), so the screen and the speakers say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from queue_core.hall_spec import HallSpec

IDLE = {
    "open": ("请稍候", "Please wait"),
    "paused": ("暂停服务", "Paused"),
    "closed": ("本窗口已关闭", "Window closed"),
}


@dataclass(frozen=True)
class LedState:
    """What one window's LED shows: the number called there (or none) and the window's
    state. Equal states need no new message (a board repeats what a call already said)."""

    hall: str
    window: int
    number: str | None
    status: str  # the window's: open, paused, closed

    def payload(self, seq: int, recall: bool = False) -> bytes:
        if self.number is not None:
            text_zh, text_en = f"请 {self.number} 号", f"Number {self.number}, please"
        else:
            text_zh, text_en = IDLE.get(self.status, ("", ""))
        return orjson.dumps(
            {
                "hall": self.hall,
                "window": self.window,
                "number": self.number,
                "status": self.status,
                "text_zh": text_zh,
                "text_en": text_en,
                "recall": recall,
                "seq": seq,
            }
        )


def led_of_call(hall: str, call: dict[str, Any]) -> LedState:
    """The LED of the window that made this call (a `called` message's data)."""
    return LedState(hall, int(call["window"]), str(call["number"]), "open")


def leds_of_board(board: dict[str, Any]) -> list[LedState]:
    """Every window's LED, from a `board` message's data (or `HallBoard.board`)."""
    return [
        LedState(board["hall"], int(w["number"]), w.get("current"), str(w["status"]))
        for w in board["windows"]
    ]


def announcement(hall: str, call: dict[str, Any], seq: int) -> bytes:
    """The words for the hall's speakers, zh then en, for one call or recall."""
    number, window = call["number"], call["window"]
    return orjson.dumps(
        {
            "hall": hall,
            "number": number,
            "window": window,
            "text_zh": f"请 {number} 号到 {window} 号窗口办理",
            "text_en": f"Ticket {number}, please go to window {window}",
            "recall": bool(call.get("recall")),
            "seq": seq,
        }
    )


def ticket_print(
    spec: HallSpec, kiosk: str, status: dict[str, Any], status_url: str, request_id: str
) -> bytes:
    """A thermal printer's ticket: number, service (zh/en), people ahead, the URL for the
    QR code (the resident's status page) and the time of issue in the hall's time zone.
    A kiosk's retry prints again (the first print may be what was lost); `request_id`
    lets a printer that did print it once ignore the repeat."""
    service = spec.service(status["service"])
    issued = datetime.fromisoformat(status["issued_at"]).astimezone(ZoneInfo(spec.timezone))
    return orjson.dumps(
        {
            "hall": spec.id,
            "hall_zh": spec.name_zh,
            "hall_en": spec.name_en,
            "kiosk": kiosk,
            "request_id": request_id,
            "number": status["number"],
            "service": service.id,
            "service_zh": service.name_zh,
            "service_en": service.name_en,
            "lane": status["lane"],
            "people_ahead": status.get("people_ahead"),
            "eta_min": status.get("eta_simple_min"),
            "status_url": status_url,
            "issued_at": issued.isoformat(timespec="seconds"),
        }
    )
