"""The hall's configuration as an event-sourced aggregate.

The events carry the configuration as a plain mapping (the same shape as the hall's data
file), so stored history never depends on the shape of the Python classes; the checked
`HallSpec` is derived from it and cached on the aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsourcing.domain import Aggregate

from queue_core.errors import InvalidConfiguration
from queue_core.hall_spec import HallSpec, hall_spec_from_mapping
from queue_core.ids import hall_config_id


class HallConfiguration(Aggregate):
    TOPIC = "hallq.HallConfiguration"

    class Created(Aggregate.Created):
        TOPIC = "hallq.HallConfiguration.Configured"
        hall_id: str
        document: dict[str, Any]

    class Reconfigured(Aggregate.Event):
        TOPIC = "hallq.HallConfiguration.Reconfigured"
        document: dict[str, Any]

        def apply(self, hall: HallConfiguration) -> None:
            hall.document = self.document
            hall._spec = None

    def __init__(self, hall_id: str, document: dict[str, Any]) -> None:
        self.hall_id = hall_id
        self.document = document
        self._spec: HallSpec | None = None

    @classmethod
    def configure(cls, document: Mapping[str, Any]) -> HallConfiguration:
        """A new hall from its configuration mapping; `InvalidConfiguration` if it is wrong."""
        spec = hall_spec_from_mapping(document)
        return cls._create(
            cls.Created, id=hall_config_id(spec.id), hall_id=spec.id, document=dict(document)
        )

    def reconfigure(self, document: Mapping[str, Any]) -> None:
        spec = hall_spec_from_mapping(document)
        if spec.id != self.hall_id:
            raise InvalidConfiguration("不能更改大厅编号", "a hall's id cannot change")
        if dict(document) != self.document:
            self.trigger_event(self.Reconfigured, document=dict(document))

    @property
    def spec(self) -> HallSpec:
        if getattr(self, "_spec", None) is None:
            self._spec = hall_spec_from_mapping(self.document)
        return self._spec  # type: ignore[return-value]
