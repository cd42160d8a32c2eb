"""Request fields: how one JSON value is checked and turned into a domain value, and the
JSON schema saying exactly the same, so the parser and the OpenAPI document cannot drift.

Every `parse` raises `MalformedCommand` naming the field, in Chinese and English, and
nothing else, whatever the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol

from queue_core.errors import MalformedCommand

Schema = dict[str, Any]


class Field(Protocol):
    def parse(self, name: str, value: object) -> Any:
        """The domain value for `value`, or `MalformedCommand` naming `name`."""
        ...

    def schema(self) -> Schema:
        """The OpenAPI 3.0 schema of exactly the values `parse` accepts."""
        ...


def shown(name: object, limit: int = 40) -> str:
    """A field name fit for a message: short, and with no lone surrogates to trip a JSON
    encoder (a hostile body may use any key)."""
    text = str(name)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def malformed(name: str, zh: str, en: str) -> MalformedCommand:
    return MalformedCommand(f"字段 “{shown(name)}” {zh}", f"field '{shown(name)}' {en}")


@dataclass(frozen=True)
class Text:
    """A string of `min_length` to `max_length` characters, all of `pattern` if given."""

    min_length: int = 0
    max_length: int = 200
    pattern: str | None = None  # unanchored; the whole string must match
    form_zh: str = ""
    form_en: str = ""
    _compiled: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = re.compile(self.pattern) if self.pattern else None
        object.__setattr__(self, "_compiled", compiled)

    def parse(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            raise malformed(name, "须为字符串", "must be a string")
        if not self.min_length <= len(value) <= self.max_length:
            raise malformed(
                name,
                f"长度须为 {self.min_length} 至 {self.max_length} 个字符",
                f"must be {self.min_length} to {self.max_length} characters long",
            )
        if self._compiled is not None and not self._compiled.fullmatch(value):
            raise malformed(name, f"格式不对，应为{self.form_zh}", f"must be {self.form_en}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
            raise malformed(name, "含有无效字符", "contains an invalid character") from None
        return value

    def schema(self) -> Schema:
        out: Schema = {"type": "string", "minLength": self.min_length}
        out["maxLength"] = self.max_length
        if self.pattern:
            # ECMA `$` ends the input; Python's would also match before a final newline.
            out["pattern"] = f"^(?:{self.pattern})$"
        return out


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int

    def parse(self, name: str, value: object) -> int:
        if type(value) is not int:  # neither a bool nor 2.0
            raise malformed(name, "须为整数", "must be a whole number")
        if not self.minimum <= value <= self.maximum:
            raise malformed(
                name,
                f"须在 {self.minimum} 至 {self.maximum} 之间",
                f"must be from {self.minimum} to {self.maximum}",
            )
        return value

    def schema(self) -> Schema:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Choice:
    """One of the string values of an `Enum`; parses to the member."""

    enum: type[Enum]

    def parse(self, name: str, value: object) -> Enum:
        for member in self.enum:
            if isinstance(value, str) and member.value == value:
                return member
        names = ", ".join(self.values())
        raise malformed(name, f"须为以下之一：{names}", f"must be one of: {names}")

    def values(self) -> list[str]:
        return [str(member.value) for member in self.enum]

    def schema(self) -> Schema:
        return {"type": "string", "enum": self.values()}


@dataclass(frozen=True)
class Texts:
    """A list of `min_items` to `max_items` strings, each an `item`; parses to a tuple."""

    item: Text
    min_items: int = 0
    max_items: int = 50

    def parse(self, name: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise malformed(name, "须为字符串列表", "must be a list of strings")
        if not self.min_items <= len(value) <= self.max_items:
            raise malformed(
                name,
                f"须有 {self.min_items} 至 {self.max_items} 项",
                f"must have {self.min_items} to {self.max_items} items",
            )
        return tuple(self.item.parse(f"{name}[{i}]", v) for i, v in enumerate(value))

    def schema(self) -> Schema:
        return {
            "type": "array",
            "items": self.item.schema(),
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }


_INSTANT_FORM = (
    "须为带时区的时间，如 2026-03-02T10:30:00+08:00",
    "must be a date and time with its UTC offset, like 2026-03-02T10:30:00+08:00",
)


@dataclass(frozen=True)
class Instant:
    """An ISO-8601 / RFC 3339 date and time with its UTC offset; parses to an aware
    `datetime`. A time without an offset is refused: the hall's zone is not the caller's."""

    max_length: int = 64

    def parse(self, name: str, value: object) -> datetime:
        if not isinstance(value, str) or len(value) > self.max_length:
            raise malformed(name, *_INSTANT_FORM)
        try:
            # RFC 3339 allows a lower-case "t" and "z"; `fromisoformat` wants them upper.
            parsed = datetime.fromisoformat(value.upper())
            if parsed.utcoffset() is None:
                raise ValueError(value)
            parsed.astimezone(UTC)  # year 1 at +01:00 has no UTC time
        except (ValueError, OverflowError):
            raise malformed(name, *_INSTANT_FORM) from None
        return parsed

    def schema(self) -> Schema:
        return {"type": "string", "format": "date-time", "maxLength": self.max_length}
