"""Fast copies of the core's frozen values, with some fields changed.

Every event replaces a ticket or a window by a changed copy, so copying is on the path
of every command and of every fold in every read model. `dataclasses.replace` inspects
the fields on each call, and a loop over the fields still costs a branch and a
`getattr` per field; the copier here is straight-line code generated once per class, as
`dataclasses` itself generates `__init__`. Measured on a ticket: 5.4 µs (loop) → 3.4 µs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def copier(cls: type[T]) -> Callable[..., T]:
    """`copy(value, **changes)`: a new `cls` with `changes`, the other fields kept. The
    class must be a frozen dataclass; nothing is validated (callers pass field names)."""
    lines = ["def copy(self, **changes):", "    new = _new(_cls)"]
    for f in fields(cls):  # type: ignore[arg-type]
        name = f.name
        lines.append(
            f"    _set(new, {name!r}, changes[{name!r}] if {name!r} in changes else self.{name})"
        )
    lines.append("    return new")
    namespace: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls}
    exec("\n".join(lines), namespace)
    return namespace["copy"]  # type: ignore[no-any-return]
