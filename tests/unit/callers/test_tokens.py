"""Session tokens: signed, expiring, and refused quietly when forged, damaged or late."""

from __future__ import annotations

import base64
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callers.accounts import Role
from callers.tokens import Claims, TokenIssuer, load_or_create_secret

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SECRET = b"s" * 32


@pytest.fixture
def issuer() -> TokenIssuer:
    return TokenIssuer(SECRET, ttl_s=3600)


def test_a_token_verifies_to_the_claims_it_was_issued_with(issuer: TokenIssuer) -> None:
    token = issuer.issue("li", Role.SUPERVISOR, NOW)
    assert issuer.verify(token, NOW + timedelta(minutes=59)) == Claims(
        "li", Role.SUPERVISOR, NOW + timedelta(hours=1)
    )


def test_a_role_may_be_given_by_name(issuer: TokenIssuer) -> None:
    token = issuer.issue("li", "admin", NOW)
    assert issuer.verify(token, NOW) == Claims("li", Role.ADMIN, NOW + timedelta(hours=1))
    with pytest.raises(ValueError):
        issuer.issue("li", "root", NOW)


def test_a_token_is_url_safe_and_its_payload_is_compact_json(issuer: TokenIssuer) -> None:
    token = issuer.issue("张三", Role.STAFF, NOW)
    body, signature = token.split(".")
    assert all(c.isalnum() or c in "-_" for c in body + signature)
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert json.loads(payload) == {"u": "张三", "r": "staff", "exp": int(NOW.timestamp()) + 3600}
    assert b" " not in payload


def test_a_token_expires_after_its_time_to_live(issuer: TokenIssuer) -> None:
    token = issuer.issue("li", Role.STAFF, NOW)
    assert issuer.verify(token, NOW + timedelta(seconds=3599)) is not None
    assert issuer.verify(token, NOW + timedelta(seconds=3600)) is None
    assert issuer.verify(token, NOW + timedelta(days=1)) is None


def test_the_default_time_to_live_is_twelve_hours() -> None:
    issuer = TokenIssuer(SECRET)
    token = issuer.issue("li", Role.STAFF, NOW)
    assert issuer.verify(token, NOW + timedelta(hours=11, minutes=59)) is not None
    assert issuer.verify(token, NOW + timedelta(hours=12)) is None


def test_a_token_signed_with_another_secret_is_refused(issuer: TokenIssuer) -> None:
    forged = TokenIssuer(b"x" * 32).issue("li", Role.ADMIN, NOW)
    assert issuer.verify(forged, NOW) is None


def test_a_changed_payload_is_refused(issuer: TokenIssuer) -> None:
    token = issuer.issue("li", Role.STAFF, NOW)
    _, signature = token.split(".")
    raised = json.dumps({"u": "li", "r": "admin", "exp": int(NOW.timestamp()) + 3600})
    body = base64.urlsafe_b64encode(raised.encode()).rstrip(b"=").decode()
    assert issuer.verify(f"{body}.{signature}", NOW) is None


def test_every_single_character_change_is_refused(issuer: TokenIssuer) -> None:
    token = issuer.issue("li", Role.STAFF, NOW)
    for i, c in enumerate(token):
        for other in {"A", "b", "-", "."} - {c}:
            assert issuer.verify(token[:i] + other + token[i + 1 :], NOW) is None


@given(st.text(max_size=300))
def test_any_text_is_refused_without_raising(text: str) -> None:
    assert TokenIssuer(SECRET).verify(text, NOW) is None


@given(st.lists(st.sampled_from("AQab09-_.=+/ \u00e9"), max_size=80).map("".join))
def test_token_shaped_garbage_is_refused_without_raising(text: str) -> None:
    assert TokenIssuer(SECRET).verify(text, NOW) is None


@given(st.binary(max_size=200))
def test_a_signed_payload_that_issue_never_writes_is_refused_without_raising(
    payload: bytes,
) -> None:
    issuer = TokenIssuer(SECRET)
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    assert issuer.verify(f"{body}.{issuer._sign(body)}", NOW) is None


def test_a_short_secret_or_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        TokenIssuer(b"short")
    with pytest.raises(ValueError):
        TokenIssuer(SECRET).issue("li", Role.STAFF, datetime(2026, 3, 2, 9))


def test_a_secret_is_made_once_and_read_back_after(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    secret = load_or_create_secret(path)
    assert len(secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(b"abc")
    with pytest.raises(ValueError, match="too short"):
        load_or_create_secret(path)
