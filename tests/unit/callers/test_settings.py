"""The settings the callers read: accounts file, secret file, allowed origins, issue limit."""

from __future__ import annotations

from pathlib import Path

from hallq.settings import Settings


def test_the_callers_settings_default_to_files_under_var_and_no_origins() -> None:
    settings = Settings.from_env({})
    assert settings.accounts_path == Path("var/accounts.json")
    assert settings.secret_path == Path("var/secret.key")
    assert settings.allowed_origins == ()
    assert settings == Settings()


def test_the_callers_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "HALLQ_ACCOUNTS": "/etc/hallq/accounts.json",
            "HALLQ_SECRET_FILE": "/etc/hallq/secret.key",
            "HALLQ_ORIGINS": "https://hall.example, http://localhost:8080,,",
            "HALLQ_ISSUE_RATE": "0.2",
            "HALLQ_ISSUE_BURST": "3",
        }
    )
    assert settings.accounts_path == Path("/etc/hallq/accounts.json")
    assert settings.secret_path == Path("/etc/hallq/secret.key")
    assert settings.allowed_origins == ("https://hall.example", "http://localhost:8080")
    assert (settings.issue_rate_per_s, settings.issue_burst) == (0.2, 3)
