"""Who is booking, without keeping who they are: a salted hash of a phone number or ID.

A booking must be tied to a person (one active booking per person, service and day),
but the store must never hold a phone number or an ID number. The key is an HMAC-SHA256
of the normalised value under the server's secret: the same person always gets the same
key, and without the secret the key cannot be turned back into a number by trying every
phone number (there are only ~10^10 of them, so a plain hash would not protect anyone).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from queue_core.errors import MalformedCommand

MOBILE = re.compile(r"1[3-9]\d{9}")  # a mainland China mobile number
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalise(raw: str) -> str:
    """A mobile number (spaces, dashes and a +86 / 0086 prefix removed) or an 18-digit
    resident ID (with a valid check digit, X upper-cased); anything else is refused."""
    value = re.sub(r"[\s\-()]", "", raw).upper()
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if MOBILE.fullmatch(value):
        return f"tel:{value}"
    if re.fullmatch(r"\d{17}[\dX]", value) and _id_check(value[:17]) == value[17]:
        return f"id:{value}"
    raise MalformedCommand(
        "请填写11位手机号或18位身份证号", "give an 11-digit mobile number or an 18-digit ID number"
    )


def _id_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def person_key(secret: bytes, raw: str) -> str:
    """The key a booking is filed under: 64 hex characters."""
    return hmac.new(secret, b"person:" + normalise(raw).encode(), hashlib.sha256).hexdigest()
