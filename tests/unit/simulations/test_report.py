"""The report is one page with its plots inline, readable with or without a CJK font."""

from __future__ import annotations

import re

import pytest

from simulations import plots
from simulations.report import render
from simulations.runner import run_simulation
from simulations.scenario import Scenario

CJK = re.compile(r"[\u4e00-\u9fff]")


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, flags=re.S)


def test_the_page_is_self_contained_with_a_comparison_for_each_policy(small: Scenario) -> None:
    page = render(run_simulation(small, ["fallback", "dynamic"], 1, 2))
    assert "<script" not in page and 'src="http' not in page and "<link" not in page
    assert len(svgs(page)) == 4  # queues, waits, and each policy's Gantt chart
    assert page.count("<tr>") == 1 + 2 * 4  # a header, then each policy overall and per lane
    assert "改派/天" in page and "reassigned/day" in page


def test_without_a_cjk_font_the_plots_speak_english(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    page = render(run_simulation(small, ["fallback"], 1, 2))
    assert all(not CJK.search(svg) for svg in svgs(page))  # no empty boxes for missing glyphs
    assert "minutes from ticket to first call" in page
    assert CJK.search(page)  # the page's own text stays bilingual: the browser has fonts
