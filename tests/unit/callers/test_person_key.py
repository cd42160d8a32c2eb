"""A booking's person key: stable per person, never the number itself, refuses junk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callers.person_key import _id_check, normalise, person_key
from queue_core.errors import MalformedCommand

SECRET = b"s" * 32


def test_the_same_mobile_written_differently_gives_the_same_key() -> None:
    keys = {person_key(SECRET, v) for v in ("13812345678", "+86 138-1234-5678", "0086 13812345678")}
    assert len(keys) == 1
    key = keys.pop()
    assert len(key) == 64 and "13812345678" not in key


def test_the_key_depends_on_the_secret() -> None:
    assert person_key(SECRET, "13812345678") != person_key(b"t" * 32, "13812345678")


def test_an_id_number_is_checked_by_its_check_digit() -> None:
    first17 = "11010519491231002"
    good = first17 + _id_check(first17)
    assert normalise(good.lower()) == f"id:{good}"
    bad = first17 + ("0" if _id_check(first17) != "0" else "1")
    with pytest.raises(MalformedCommand):
        normalise(bad)


@pytest.mark.parametrize("junk", ["", "12345", "23812345678", "1381234567", "abc", "138123456789"])
def test_anything_else_is_refused_in_both_languages(junk: str) -> None:
    with pytest.raises(MalformedCommand) as refused:
        normalise(junk)
    assert refused.value.message_zh and refused.value.message_en


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_different_people_get_different_keys(a: str, b: str) -> None:
    assert (person_key(SECRET, a) == person_key(SECRET, b)) == (a == b)


@pytest.mark.parametrize("token", ["", "x", "a.b.c", "south-axis.20260302-00.é", "\x1e\udcff"])
def test_a_forged_or_garbled_booking_token_is_an_unknown_booking(token: str) -> None:
    from callers.appointments_api import booking_token, read_booking_token
    from queue_core.appointment_errors import UnknownBooking

    with pytest.raises(UnknownBooking):
        read_booking_token(SECRET, token)
    genuine = booking_token(SECRET, "south-axis", "20260302-0123456789abcdef")
    assert read_booking_token(SECRET, genuine) == ("south-axis", "20260302-0123456789abcdef")
