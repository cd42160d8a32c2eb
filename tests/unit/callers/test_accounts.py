"""Accounts: scrypt hashes in a private JSON file, read afresh on every call."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from callers.accounts import Account, AccountStore, Role


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "var" / "accounts.json")


def test_the_file_is_created_by_the_first_add_and_holds_no_plaintext(store: AccountStore) -> None:
    assert not store.path.exists()
    store.add("li", "correct horse", Role.STAFF)
    text = store.path.read_text()
    assert "correct horse" not in text
    record = json.loads(text)["li"]
    assert record["role"] == "staff"
    assert (record["n"], record["r"], record["p"]) == (2**14, 8, 1)
    assert len(bytes.fromhex(record["salt"])) == 16
    assert len(bytes.fromhex(record["hash"])) == 32


def test_the_file_is_readable_by_its_owner_only(store: AccountStore) -> None:
    store.add("li", "correct horse", Role.STAFF)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["accounts.json"]  # no temp left


def test_the_right_password_verifies_and_a_wrong_one_does_not(store: AccountStore) -> None:
    store.add("li", "correct horse", Role.SUPERVISOR)
    assert store.verify("li", "correct horse") == Account("li", Role.SUPERVISOR)
    assert store.verify("li", "correct horsE") is None
    assert store.verify("li", "") is None


def test_an_unknown_username_does_not_verify(store: AccountStore) -> None:
    assert store.verify("nobody", "whatever it is") is None
    store.add("li", "correct horse", Role.STAFF)
    assert store.verify("wang", "correct horse") is None


def test_a_lone_surrogate_in_a_password_is_a_wrong_password_not_a_crash(
    store: AccountStore,
) -> None:
    store.add("li", "correct horse", Role.STAFF)
    assert store.verify("li", "\ud800 and more") is None


def test_two_accounts_with_one_password_get_different_salts(store: AccountStore) -> None:
    store.add("li", "same password", Role.STAFF)
    store.add("wang", "same password", Role.STAFF)
    records = json.loads(store.path.read_text())
    assert records["li"]["salt"] != records["wang"]["salt"]
    assert records["li"]["hash"] != records["wang"]["hash"]


def test_re_adding_replaces_password_and_role(store: AccountStore) -> None:
    store.add("li", "first password", Role.STAFF)
    store.add("li", "second password", Role.ADMIN)
    assert store.verify("li", "first password") is None
    assert store.verify("li", "second password") == Account("li", Role.ADMIN)
    assert store.all() == (Account("li", Role.ADMIN),)


def test_another_store_on_the_same_file_sees_every_account(store: AccountStore) -> None:
    store.add("wang", "password one", Role.STAFF)
    store.add("li", "password two", Role.ADMIN)
    reloaded = AccountStore(store.path)
    assert reloaded.all() == (Account("li", Role.ADMIN), Account("wang", Role.STAFF))
    assert reloaded.get("wang") == Account("wang", Role.STAFF)
    assert reloaded.get("zhao") is None
    assert reloaded.verify("li", "password two") == Account("li", Role.ADMIN)


def test_a_chinese_username_is_fine(store: AccountStore) -> None:
    store.add("张三", "correct horse", Role.STAFF)
    assert AccountStore(store.path).verify("张三", "correct horse") == Account("张三", Role.STAFF)


@pytest.mark.parametrize("username", ["", "   ", "li si", "tab\there", "new\nline", "x" * 65])
def test_a_blank_spaced_or_overlong_username_is_refused_in_both_languages(
    store: AccountStore, username: str
) -> None:
    with pytest.raises(ValueError, match="用户名") as refused:
        store.add(username, "correct horse", Role.STAFF)
    assert "username" in str(refused.value)
    assert not store.path.exists()


def test_a_password_shorter_than_eight_characters_is_refused(store: AccountStore) -> None:
    with pytest.raises(ValueError, match="密码至少 8") as refused:
        store.add("li", "1234567", Role.STAFF)
    assert "at least 8" in str(refused.value)
    assert not store.path.exists()


@pytest.mark.parametrize(
    "text", ['{"li": {"role": "janitor"}}', "[]", "{", '{"li": {"role": "staff", "n": 3}}']
)
def test_a_damaged_file_is_reported_not_mistaken_for_no_accounts(
    store: AccountStore, text: str
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(text)
    with pytest.raises(ValueError, match="damaged"):
        store.get("li")


def test_each_role_may_do_what_the_roles_below_it_may() -> None:
    assert Role.ADMIN.allows(Role.SUPERVISOR) and Role.ADMIN.allows(Role.STAFF)
    assert Role.SUPERVISOR.allows(Role.STAFF) and Role.SUPERVISOR.allows(Role.SUPERVISOR)
    assert not Role.STAFF.allows(Role.SUPERVISOR)
    assert not Role.SUPERVISOR.allows(Role.ADMIN)


def test_a_role_is_parsed_from_its_name_and_an_unknown_name_is_refused() -> None:
    assert Role.parse("supervisor") is Role.SUPERVISOR
    with pytest.raises(ValueError, match="未知角色") as refused:
        Role.parse("Admin")
    assert "unknown role" in str(refused.value)
