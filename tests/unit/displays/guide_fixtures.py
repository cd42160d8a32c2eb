"""The reference hall and its packaged guide, read once for the guide's unit tests."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from displays.guide import HallGuide, guide_from_mapping
from displays.guide_pinyin import syllables
from displays.guide_search import GuideIndex, build_index
from hallq.bootstrap import load_hall_document
from hallq.settings import reference_hall_path
from queue_core.hall_spec import HallSpec, hall_spec_from_mapping

GUIDE_FILE = reference_hall_path().parent / "guides" / "south-axis.toml"


@cache
def reference_spec() -> HallSpec:
    return hall_spec_from_mapping(load_hall_document(reference_hall_path()))


def guide_document() -> dict[str, Any]:
    """A fresh copy each call: tests may spoil it."""
    return tomllib.loads(Path(GUIDE_FILE).read_text())


@cache
def reference_guide() -> HallGuide:
    return guide_from_mapping(guide_document(), reference_spec())


@cache
def reference_index() -> GuideIndex:
    return build_index(reference_guide(), syllables)
