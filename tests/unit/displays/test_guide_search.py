"""One search box: Chinese text, pinyin initials or spelling, English words, aliases,
materials; ranked exact > prefix > in order > alias > material/FAQ text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from displays.guide_search import EXACT, search
from tests.unit.displays.guide_fixtures import reference_guide, reference_index, reference_spec

SERVICE_IDS = [s.id for s in reference_spec().services]


def first(query: str) -> str:
    hits = search(reference_index(), query)
    assert hits, f"nothing found for {query!r}"
    return hits[0].entry.service


@pytest.mark.parametrize("query", ["老年证", "lnz", "senior card", "lnyd", "laonian", "老年优待证"])
def test_the_issue_s_examples_find_the_senior_card_first(query: str) -> None:
    assert first(query) == "senior-card"


@pytest.mark.parametrize("query", ["Senior Card", "SENIOR", "ＬＮＺ", "  senior   card  "])
def test_case_width_and_spaces_do_not_matter(query: str) -> None:
    assert first(query) == "senior-card"


def test_an_empty_query_lists_every_service_grouped_by_zone() -> None:
    hits = search(reference_index(), "   ")
    assert sorted(h.entry.service for h in hits) == sorted(SERVICE_IDS)
    zones = [h.entry.zone for h in hits]
    assert zones == sorted(zones, key=[z.id for z in reference_spec().zones].index)
    assert {h.score for h in hits} == {0}


@pytest.mark.parametrize("query", ["xyzzy", "量子力学", "qqqq", "!!!"])
def test_nonsense_finds_nothing(query: str) -> None:
    assert search(reference_index(), query) == []


def test_a_material_finds_the_services_that_need_it_required_before_optional() -> None:
    hits = search(reference_index(), "户口簿")
    found = [h.entry.service for h in hits]
    needing = [
        e.service for e in reference_guide().entries if any(m.zh == "户口簿" for m in e.required)
    ]
    assert set(needing) == set(found[: len(needing)])
    assert "household-registration" in needing and "social-security" in found[len(needing) :]


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("sb", "social-security"),
        ("社保", "social-security"),
        ("shebao", "social-security"),
        ("hukou", "household-registration"),
        ("passport", "exit-entry"),
        ("护照", "exit-entry"),
        ("长护险", "long-term-care"),
        ("changqi", "long-term-care"),  # 长 read as cháng in 长期
        ("teacher", "teacher-certificate"),
        ("Identity", "id-card"),
        ("公积金", "housing-fund"),
        ("mzhy", "civil-affairs"),  # initials skip the brackets of 民政（婚姻·低保）
    ],
)
def test_more_ways_in(query: str, service: str) -> None:
    assert first(query) == service


def test_english_matches_word_starts_only() -> None:
    assert "housing-fund" not in [h.entry.service for h in search(reference_index(), "id")]


def test_a_name_beats_an_alias_beats_a_mention() -> None:
    hits = search(reference_index(), "senior card")
    assert [h.entry.service for h in hits][:2] == ["senior-card", "transit-card"]
    assert hits[0].score > hits[1].score


@given(st.sampled_from(reference_guide().entries), st.booleans())
def test_any_service_s_own_name_finds_it_first_with_the_top_score(entry, english: bool) -> None:  # type: ignore[no-untyped-def]
    hits = search(reference_index(), entry.name_en if english else entry.name_zh)
    assert hits[0].entry == entry and hits[0].score == EXACT
    assert all(h.score < EXACT for h in hits[1:])


@given(st.text(max_size=60))
def test_any_text_is_answered_without_error(query: str) -> None:
    hits = search(reference_index(), query)
    assert all(h.score > 0 for h in hits) or all(h.score == 0 for h in hits)
