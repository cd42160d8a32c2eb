"""How a device signs what it sends: HMAC-SHA256 over the topic and the body's fields.

The signed text is the topic, then one `name=value` line per field except `sig`, sorted
by name, joined by newlines (UTF-8). Every value is a string without control characters
and every name is lower-case letters and `_`, so no two bodies share a signed text. The
key is the device's secret as printed by `hallq device add` (its ASCII bytes); `sig` is
the lower-case hex digest. A microcontroller can build this without a JSON library.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

FIELD_NAME = re.compile(r"[a-z_]{1,32}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def signed_text(topic: str, fields: Mapping[str, str]) -> bytes:
    """What is signed; `ValueError` for a field that could blur the lines."""
    lines = [topic]
    for name in sorted(fields):
        value = fields[name]
        if name == "sig":
            continue
        if not FIELD_NAME.fullmatch(name) or not isinstance(value, str) or CONTROL.search(value):
            raise ValueError(f"field {name!r} cannot be signed")
        lines.append(f"{name}={value}")
    return "\n".join(lines).encode()


def sign(secret: str, topic: str, fields: Mapping[str, str]) -> str:
    """The hex HMAC-SHA256 of `signed_text` under the device's secret."""
    return hmac.new(secret.encode(), signed_text(topic, fields), hashlib.sha256).hexdigest()


def signed(secret: str, topic: str, fields: Mapping[str, str]) -> dict[str, str]:
    """`fields` with their `sig`: the body a device publishes."""
    return {**fields, "sig": sign(secret, topic, fields)}


def verify(secret: str, topic: str, body: Mapping[str, str]) -> bool:
    """Whether `body["sig"]` signs `topic` and the body's other fields under `secret`.
    Compared in constant time; never raises for a body of strings."""
    claimed = body.get("sig")
    if not isinstance(claimed, str):
        return False
    try:
        expected = sign(secret, topic, body)
    except ValueError:
        return False
    return hmac.compare_digest(expected.encode(), claimed.encode())  # str: ASCII only
