"""`hallq user add` and `hallq user list`, through `hallq.cli.main` as a shell would call it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from callers.accounts import Account, AccountStore, Role
from hallq.cli import main


@pytest.fixture
def accounts_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "accounts.json"
    monkeypatch.setenv("HALLQ_ACCOUNTS", str(path))
    return path


def type_in(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_add_stores_the_password_read_from_stdin(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    type_in(monkeypatch, "correct horse \n")
    assert main(["user", "add", "li", "--role", "supervisor"]) == 0
    out = capsys.readouterr().out
    assert "已保存账号 li" in out and "saved account li (supervisor)" in out
    store = AccountStore(accounts_path)
    assert store.verify("li", "correct horse ") == Account("li", Role.SUPERVISOR)  # only \n cut


def test_user_add_makes_staff_unless_told_otherwise(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_in(monkeypatch, "correct horse\r\n")
    assert main(["user", "add", "wang"]) == 0
    assert AccountStore(accounts_path).verify("wang", "correct horse") == Account(
        "wang", Role.STAFF
    )


def test_user_add_refuses_an_unknown_role_in_both_languages(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    type_in(monkeypatch, "correct horse\n")
    assert main(["user", "add", "li", "--role", "janitor"]) == 1
    err = capsys.readouterr().err
    assert "未知角色" in err and "unknown role 'janitor'" in err
    assert not accounts_path.exists()


def test_user_add_refuses_a_short_password_in_both_languages(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    type_in(monkeypatch, "short\n")
    assert main(["user", "add", "li", "--role", "staff"]) == 1
    err = capsys.readouterr().err
    assert "密码至少 8 个字符" in err and "at least 8 characters" in err
    assert not accounts_path.exists()


def test_user_add_refuses_an_empty_stdin(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_in(monkeypatch, "")
    assert main(["user", "add", "li"]) == 1
    assert not accounts_path.exists()


def test_user_add_asks_twice_without_echo_on_a_terminal(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["correct horse", "correct hose"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "li"]) == 1
    assert "differ" in capsys.readouterr().err
    answers = iter(["correct horse", "correct horse"])
    assert main(["user", "add", "li"]) == 0
    assert AccountStore(accounts_path).verify("li", "correct horse") is not None


def test_user_list_shows_every_account_with_its_role(
    accounts_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "list"]) == 0
    assert "no accounts yet" in capsys.readouterr().out
    for name, role in [("wang", "staff"), ("li", "admin")]:
        type_in(monkeypatch, "correct horse\n")
        assert main(["user", "add", name, "--role", role]) == 0
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["li\tadmin", "wang\tstaff"]
