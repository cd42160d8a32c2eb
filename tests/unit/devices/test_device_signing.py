"""Signatures: a device's HMAC covers the topic and every field, and nothing else passes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callers.device_signing import sign, signed, signed_text, verify

SECRET = "kT3q-secret-of-btn-5"
TOPIC = "hallq/south-axis/window/5/button"
values = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
bodies = st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), values, max_size=6)


def test_the_signed_text_is_the_topic_then_sorted_fields_without_sig() -> None:
    fields = {"ts": "1", "device": "btn-5", "sig": "ignored", "action": "call-next"}
    assert signed_text(TOPIC, fields) == (f"{TOPIC}\naction=call-next\ndevice=btn-5\nts=1".encode())


def test_a_known_vector_so_firmware_can_check_itself() -> None:
    import hashlib
    import hmac

    text = f"{TOPIC}\naction=call-next\ndevice=btn-5\nrequest_id=r1\nts=1767225600".encode()
    expected = hmac.new(SECRET.encode(), text, hashlib.sha256).hexdigest()
    fields = {"device": "btn-5", "request_id": "r1", "action": "call-next", "ts": "1767225600"}
    assert sign(SECRET, TOPIC, fields) == expected


@given(bodies.filter(lambda b: "sig" not in b))
def test_what_a_device_signs_verifies(fields: dict[str, str]) -> None:
    assert verify(SECRET, TOPIC, signed(SECRET, TOPIC, fields))


@given(bodies.filter(lambda b: "sig" not in b and b), st.data())
def test_changing_any_field_breaks_the_signature(
    fields: dict[str, str], data: st.DataObject
) -> None:
    body = signed(SECRET, TOPIC, fields)
    name = data.draw(st.sampled_from(sorted(fields)))
    changed = data.draw(values.filter(lambda v: v != fields[name]))
    assert not verify(SECRET, TOPIC, {**body, name: changed})


@given(bodies.filter(lambda b: "sig" not in b))
def test_the_signature_covers_the_topic_the_key_and_added_fields(fields: dict[str, str]) -> None:
    body = signed(SECRET, TOPIC, fields)
    assert not verify(SECRET, "hallq/south-axis/window/6/button", body)
    assert not verify("another-secret", TOPIC, body)
    extra = next(n for n in ("zz", "zzz", "zzzz") if n not in fields)
    assert not verify(SECRET, TOPIC, {**body, extra: ""})


@pytest.mark.parametrize("sig", [None, "", "0" * 64, "签名" * 32, "A" * 64])
def test_a_missing_or_strange_signature_is_simply_wrong(sig: str | None) -> None:
    body: dict[str, str] = {"device": "btn-5"}
    if sig is not None:
        body["sig"] = sig
    assert verify(SECRET, TOPIC, body) is False


def test_a_value_that_could_forge_a_line_cannot_be_signed_or_verified() -> None:
    forged = {"device": "btn-5\naction=call-next", "sig": "0" * 64}
    with pytest.raises(ValueError):
        signed_text(TOPIC, forged)
    assert verify(SECRET, TOPIC, forged) is False
