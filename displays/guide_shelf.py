"""Every served hall's guide and search index, loaded once at start-up and kept on the app.

A hall's guide file is `guides/<hall id>.toml` beside one of the hall files (the reference
hall's is packaged); a hall without one gets the plain guide its own configuration gives.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from displays.guide import GuideEntry, guide_from_hall, guide_from_mapping
from displays.guide_search import GuideIndex, Spell, build_index
from queue_core.errors import UnknownHall, UnknownService
from queue_core.hall_spec import HallSpec


@dataclass(frozen=True)
class GuideShelf:
    indexes: dict[str, GuideIndex]

    def index(self, hall: str) -> GuideIndex:
        """The hall's index, or `UnknownHall` (404)."""
        try:
            return self.indexes[hall]
        except KeyError:
            raise UnknownHall(f"本服务不含此大厅：{hall}", f"unknown hall '{hall}'") from None

    def entry(self, hall: str, service: str) -> GuideEntry:
        """One service's guide entry, or `UnknownHall` / `UnknownService` (404)."""
        found = self.index(hall).guide.entry(service)
        if found is None:
            raise UnknownService(f"没有此业务：{service}", f"unknown service '{service}'")
        return found


GUIDES = web.AppKey("guides", GuideShelf)


def guide_file(hall: str, hall_files: Iterable[Path]) -> Path | None:
    """The first `guides/<hall>.toml` beside a hall file, if any."""
    return next(
        (f.parent / "guides" / f"{hall}.toml" for f in hall_files if (f.parent / "guides" / f"{hall}.toml").is_file()),
        None,
    )  # fmt: skip


def load_shelf(specs: Iterable[HallSpec], hall_files: Iterable[Path], spell: Spell) -> GuideShelf:
    """Read and check every hall's guide; `InvalidConfiguration` names the first wrong entry."""
    files = tuple(hall_files)
    indexes = {}
    for spec in specs:
        path = guide_file(spec.id, files)
        if path is None:
            guide = guide_from_hall(spec)
        else:
            with path.open("rb") as f:
                guide = guide_from_mapping(tomllib.load(f), spec)
        indexes[spec.id] = build_index(guide, spell)
    return GuideShelf(indexes)
