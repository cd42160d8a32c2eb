"""Stateless session tokens: a signed, expiring claim of who the caller is and their role.

A token is `base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))`,
unpadded, where the payload is compact JSON `{"u": username, "r": role, "exp": seconds}`.
Nothing is stored per session, so any server process with the same secret accepts it;
the price is that a token cannot be revoked before it expires (12 hours by default).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from callers.accounts import Role, write_private

SECRET_BYTES = 32
MIN_SECRET_BYTES = 16
MAX_TOKEN_LENGTH = 2048
_ROLES = {role.value: role for role in Role}
KNOWN_LIMIT = 4096  # verified tokens remembered; more are forgotten all at once


@dataclass(frozen=True)
class Claims:
    username: str
    role: Role
    expires: datetime


class TokenIssuer:
    """Issues and checks tokens signed with `secret`, valid for `ttl_s` seconds."""

    def __init__(self, secret: bytes, ttl_s: float = 12 * 3600) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret needs at least {MIN_SECRET_BYTES} bytes")
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self._secret = secret
        self.ttl_s = ttl_s
        # token -> (its claims, its expiry in epoch seconds): a window terminal sends the
        # same token with every action, and checking it again (HMAC, base64, JSON) was a
        # tenth of an action's CPU. Only verified tokens are kept, so forged ones cannot
        # crowd them out; a kept token is still refused once it expires.
        self._known: dict[str, tuple[Claims, float]] = {}

    def issue(self, account_username: str, role: Role | str, now: datetime) -> str:
        """A token for this account, expiring `ttl_s` after `now` (timezone-aware). The role
        may be given by name (`ValueError` for an unknown one)."""
        role = role if isinstance(role, Role) else Role.parse(role)
        expires = int(_epoch(now) + self.ttl_s)
        payload = {"u": account_username, "r": role.value, "exp": expires}
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())  # ASCII-escaped
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, now: datetime) -> Claims | None:
        """The token's claims, or None when it is malformed, forged or expired at `now`.

        Never raises for any `token`; `now` must be timezone-aware (a naive `now` is a
        programming error and raises `ValueError`)."""
        at = _epoch(now)
        known = self._known.get(token) if isinstance(token, str) else None
        if known is not None:
            return known[0] if at < known[1] else None
        try:
            claims = self._claims(token, at)
        except (ValueError, KeyError, TypeError, OverflowError, OSError):
            return None  # a signed payload that is not what `issue` writes
        if claims is not None:
            if len(self._known) >= KNOWN_LIMIT:
                self._known.clear()
            self._known[token] = (claims, claims.expires.timestamp())
        return claims

    def _claims(self, token: str, at: float) -> Claims | None:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            return None
        body, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(self._sign(body), signature):
            return None
        payload = json.loads(_unb64(body))
        username, role, expires = payload["u"], _ROLES[payload["r"]], payload["exp"]
        if type(username) is not str or type(expires) is not int or at >= expires:
            return None
        return Claims(username, role, datetime.fromtimestamp(expires, UTC))

    def _sign(self, body: str) -> str:
        return _b64(hmac.digest(self._secret, body.encode("ascii"), hashlib.sha256))


def load_or_create_secret(path: Path) -> bytes:
    """The secret kept at `path`, made (32 random bytes, mode 0600) if there is none yet.

    Several processes starting at once agree on one secret: the new file is linked into
    place only if none exists, and a process that loses that race reads the winner's."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        write_private(draft, secrets.token_bytes(SECRET_BYTES))
        try:
            os.link(draft, path)  # fails if another process got there first
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: last writer wins
            os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    secret = path.read_bytes()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(
            f"密钥文件 {path} 太短 / the secret file {path} is too short ({len(secret)} bytes)"
        )
    return secret


def _epoch(now: datetime) -> float:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.timestamp()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Raises `binascii.Error`, a `ValueError`, for text that is not base64."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
