"""What every read model is: a fold of the event log, in notification order.

A read model keeps its own checkpoint (`position`, the last notification id it applied),
ignores events it does not care about, and can be rebuilt from zero: `reset()` and fold
the log again must give the same `state()` as following it live (a test says so).
Read models are touched from one thread only (the server's event loop), so they need no
locks; queries on them are plain method calls.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from queue_core.hall_spec import HallSpec

SpecLookup = Callable[[str], HallSpec]  # hall id -> its configuration (app.hall_spec)


class ReadModel(ABC):
    name: ClassVar[str]

    def __init__(self, specs: SpecLookup) -> None:
        self.specs = specs
        self.position = 0
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next fold starts from the first notification."""
        self.position = 0
        self._reset()

    def fold(self, event: Any, position: int) -> None:
        """Apply one event at its notification id; events already applied are skipped."""
        if position <= self.position:
            return
        self.apply(event)
        self.position = position

    @abstractmethod
    def _reset(self) -> None: ...

    @abstractmethod
    def apply(self, event: Any) -> None:
        """Fold one domain event (any kind: ignore those this model does not use)."""

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """Everything the model knows, as JSON-ready plain values (for the rebuild test)."""
