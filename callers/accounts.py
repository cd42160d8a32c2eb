"""Staff accounts: who may sign in, with which role, and a scrypt hash of the password.

The accounts live in one small JSON file (username → role, salt, hash and the scrypt
cost), read afresh on every call, so `hallq user add` takes effect in a running server
without a restart. The file is replaced whole (temporary file, then `os.replace`), so a
reader never sees half of it, and it is readable by its owner only (mode 0600).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 64
# scrypt needs about 128·r·n bytes (16 MiB at the defaults); stored costs that would need
# more than half of this are refused as damage rather than run.
_MAXMEM = 256 * 1024 * 1024
_DUMMY_SALT = bytes(SALT_BYTES)


class Role(Enum):
    """What a signed-in caller may do; each role may do everything the one before may."""

    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named `text`; a `ValueError` with a zh/en message for any other text."""
        for role in cls:
            if role.value == text:
                return role
        names = ", ".join(r.value for r in cls)
        raise ValueError(
            f"未知角色 {text!r}，可选：{names} / unknown role {text!r}; one of: {names}"
        )

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may (admin ⊇ supervisor ⊇ staff)."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class Account:
    username: str
    role: Role


def check_username(username: str) -> None:
    """Refuse an empty name, one with whitespace or control characters, or a long one."""
    if not username or username.isspace():
        raise ValueError("用户名不能为空 / the username must not be empty")
    if len(username) > MAX_USERNAME_LENGTH or not username.isprintable() or " " in username:
        raise ValueError(
            f"用户名须为不含空白的可打印字符，至多 {MAX_USERNAME_LENGTH} 个"
            f" / a username is at most {MAX_USERNAME_LENGTH} printable characters without spaces"
        )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符"
            f" / a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # surrogatepass: a JSON body may carry a lone surrogate; it must hash, not raise.
    secret = password.encode("utf-8", "surrogatepass")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES)


@dataclass(frozen=True)
class _Record:
    """One account as stored: the role, and the scrypt salt, key and cost."""

    role: Role
    salt: bytes
    key: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def matches(self, password: str) -> bool:
        return hmac.compare_digest(_scrypt(password, self.salt, self.n, self.r, self.p), self.key)

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role.value,
            "salt": self.salt.hex(),
            "hash": self.key.hex(),
            "n": self.n,
            "r": self.r,
            "p": self.p,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> _Record:
        n, r, p = (raw[k] for k in ("n", "r", "p"))
        costs_ok = all(type(v) is int and v > 0 for v in (n, r, p))
        if not (costs_ok and n > 1 and n & (n - 1) == 0 and 128 * r * n * p <= _MAXMEM // 2):
            raise ValueError(f"scrypt cost n={n!r}, r={r!r}, p={p!r}")
        salt, key = bytes.fromhex(raw["salt"]), bytes.fromhex(raw["hash"])
        return cls(Role.parse(raw["role"]), salt, key, n, r, p)


class AccountStore:
    """The accounts file at `path`; created by the first `add`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def add(self, username: str, password: str, role: Role) -> Account:
        """Store (or replace) an account; `ValueError` with a zh/en message for a bad
        username or a password shorter than eight characters."""
        check_username(username)
        check_password(password)
        salt = secrets.token_bytes(SALT_BYTES)
        record = _Record(role, salt, _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
        with self._lock:
            records = self._load()
            records[username] = record
            data = {name: rec.to_json() for name, rec in sorted(records.items())}
            write_private(self.path, json.dumps(data, indent=2, ensure_ascii=False).encode())
        return Account(username, role)

    def verify(self, username: str, password: str) -> Account | None:
        """The account if the password is right, else None. An unknown username costs the
        same scrypt run as a known one, so timing does not tell which names exist."""
        record = self._load().get(username)
        if record is None:
            _scrypt(password, _DUMMY_SALT, SCRYPT_N, SCRYPT_R, SCRYPT_P)
            return None
        return Account(username, record.role) if record.matches(password) else None

    def get(self, username: str) -> Account | None:
        record = self._load().get(username)
        return None if record is None else Account(username, record.role)

    def all(self) -> tuple[Account, ...]:
        """Every account, by username."""
        return tuple(Account(name, rec.role) for name, rec in sorted(self._load().items()))

    def _load(self) -> dict[str, _Record]:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            return {name: _Record.from_json(rec) for name, rec in json.loads(text).items()}
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"账号文件 {self.path} 已损坏 / the accounts file {self.path} is damaged: {error}"
            ) from error


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` at once, readable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
