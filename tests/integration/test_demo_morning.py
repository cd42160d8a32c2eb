"""`make demo`'s scripted morning runs through the real core on a SQLite file, and what it
prints agrees with what the store holds."""

from __future__ import annotations

import io
import re
from pathlib import Path

from hallq.cli import main
from hallq.morning import play_morning
from tests.conftest import HALL


def test_the_morning_tells_every_kind_of_event_and_its_summary_matches_the_store(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    app = play_morning(out, tmp_path / "demo.sqlite3")
    text = out.getvalue()
    for word in (
        "开门",
        "取号",
        "叫号",
        "办结",
        "容缺受理",
        "回队",
        "暂停",
        "恢复",
        "Call: ticket",
    ):
        assert word in text, word
    issued = int(re.search(r"tickets issued: (\d+)", text).group(1))  # type: ignore[union-attr]
    day = app.get_day(HALL, "2026-03-02")
    assert issued == sum(day.counters.values())
    waiting = int(re.search(r"still waiting: (\d+)", text).group(1))  # type: ignore[union-attr]
    assert waiting == sum(1 for _ in day.waiting())
    assert f"events stored: {day.version}" in text
    app.close()


def test_the_same_seed_tells_the_same_morning(tmp_path: Path) -> None:
    first, second = io.StringIO(), io.StringIO()
    play_morning(first, tmp_path / "a.sqlite3", seed=3, minutes=40).close()
    play_morning(second, tmp_path / "b.sqlite3", seed=3, minutes=40).close()
    strip = lambda s: re.sub(r"store: \S+", "", s)  # noqa: E731
    assert strip(first.getvalue()) == strip(second.getvalue())


def test_check_hall_accepts_the_reference_hall_and_names_a_broken_entry(
    tmp_path: Path, capsys
) -> None:
    from hallq.settings import reference_hall_path

    assert main(["check-hall", str(reference_hall_path())]) == 0
    assert "32 services, 20 windows" in capsys.readouterr().out
    broken = tmp_path / "broken.toml"
    broken.write_text(reference_hall_path().read_text().replace('prefix = "A"', 'prefix = "AA"', 1))
    assert main(["check-hall", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "services.social-security" in err and "前缀" in err
    bad_booking = tmp_path / "bad-appointments.toml"
    bad_booking.write_text(
        reference_hall_path().read_text().replace("slot_minutes = 30", "slot_minutes = -5", 1)
    )
    assert main(["check-hall", str(bad_booking)]) == 1
    assert "appointments.slot_minutes" in capsys.readouterr().err
