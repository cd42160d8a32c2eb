"""Which idle window hears of a waiting ticket: the staff who would press "call next".

The core decides which ticket a window calls; this decides only which idle window asks.
A ticket for a service goes first to an idle window assigned that service, then (when
the hall's policy lets windows fall back on their other skills) to one skilled for it,
the longest idle first in each case. One window is woken per ticket: waking every idle
window would have all but one of them find nobody.
"""

from __future__ import annotations

from collections.abc import Mapping

import simpy


class IdleWindows:
    def __init__(
        self, env: simpy.Environment, skills: Mapping[int, frozenset[str]], fallback: bool
    ) -> None:
        self.env, self.skills, self.fallback = env, skills, fallback
        self.assigned: dict[int, frozenset[str]] = {}  # as the window's staff last set it
        self._idle: dict[int, simpy.Event] = {}  # in the order they fell idle

    def reach(self, window: int) -> frozenset[str]:
        """The services whose tickets the window may call under the policy."""
        return self.skills[window] if self.fallback else self.assigned[window]

    def wait(self, window: int) -> simpy.Event:
        """An event that succeeds when the window has something to look at."""
        event = self.env.event()
        self._idle[window] = event
        return event

    def wake(self, window: int) -> None:
        event = self._idle.pop(window, None)
        if event is not None:
            event.succeed()

    def wake_all(self) -> None:
        for window in list(self._idle):
            self.wake(window)

    def offer(self, service: str) -> None:
        """A ticket for `service` is waiting: wake the idle window that would call it."""
        spare = None
        for window in self._idle:
            if service in self.assigned[window]:
                self.wake(window)
                return
            if spare is None and self.fallback and service in self.skills[window]:
                spare = window
        if spare is not None:
            self.wake(spare)
