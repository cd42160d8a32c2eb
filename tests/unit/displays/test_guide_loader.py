"""The guide file is checked against the hall: every service has an entry, and the first
wrong one is named in both languages; windows come from the hall's skills."""

from __future__ import annotations

import pytest

from displays.guide import guide_from_hall, guide_from_mapping, split_bilingual
from queue_core.errors import InvalidConfiguration
from tests.unit.displays.guide_fixtures import guide_document, reference_guide, reference_spec


def test_every_service_of_the_reference_hall_has_a_full_entry() -> None:
    guide = reference_guide()
    assert [e.service for e in guide.entries] == [s.id for s in reference_spec().services]
    for entry in guide.entries:
        assert entry.who_zh and entry.who_en and entry.required and entry.windows
        assert 2 <= len(entry.faq) <= 3, entry.service


def test_the_senior_card_entry_reads_as_written() -> None:
    entry = reference_guide().entry("senior-card")
    assert entry is not None
    assert (entry.name_zh, entry.zone_zh, entry.days, entry.fee_yuan) == (
        "老年优待证",
        "生活服务区",
        0,
        0,
    )
    assert [m.zh for m in entry.required] == ["身份证", "一寸照片"]
    assert entry.required[1].en == "1-inch photo"
    assert "老年证" in entry.aliases and "lnz" in entry.aliases  # the hall's keywords join in


def test_windows_are_the_ones_whose_skills_include_the_service() -> None:
    spec = reference_spec()
    for entry in reference_guide().entries:
        assert entry.windows == tuple(w.number for w in spec.windows if entry.service in w.skills)
    assert reference_guide().entry("senior-card").windows == (11, 12)  # type: ignore[union-attr]


def test_the_hall_file_s_materials_are_all_in_the_guide() -> None:
    """The kiosk shows the hall file's list; the guide must not contradict it."""
    for service in reference_spec().services:
        entry = reference_guide().entry(service.id)
        assert entry is not None
        listed = {f"{m.zh} {m.en}" for m in (*entry.required, *entry.optional)}
        assert set(service.materials) <= listed, service.id


def test_a_missing_entry_is_named() -> None:
    document = guide_document()
    del document["services"]["tax"]
    with pytest.raises(InvalidConfiguration) as refused:
        guide_from_mapping(document, reference_spec())
    assert "services.tax" in refused.value.message_zh
    assert "services.tax" in refused.value.message_en and "no entry" in refused.value.message_en


def test_an_entry_for_a_service_the_hall_lacks_is_named() -> None:
    document = guide_document()
    document["services"]["time-travel"] = document["services"]["tax"]
    with pytest.raises(InvalidConfiguration, match=r"services\.time-travel"):
        guide_from_mapping(document, reference_spec())


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("required", ["身份证"], "services.notary.required"),
        ("required", [], "services.notary.required"),
        ("days", -1, "services.notary.days"),
        ("fee_yuan", "free", "services.notary.fee_yuan"),
        ("who_en", "", "services.notary.who_en"),
        ("faq", [{"q_zh": "问"}], "services.notary.faq[0]"),
    ],
)
def test_a_bad_field_is_named_with_its_place(field: str, value: object, where: str) -> None:
    document = guide_document()
    document["services"]["notary"][field] = value
    with pytest.raises(InvalidConfiguration) as refused:
        guide_from_mapping(document, reference_spec())
    assert where in refused.value.message_zh and where in refused.value.message_en


def test_a_guide_for_another_hall_is_refused() -> None:
    with pytest.raises(InvalidConfiguration, match="north"):
        guide_from_mapping({**guide_document(), "hall": "north"}, reference_spec())


def test_materials_split_into_chinese_and_english() -> None:
    assert split_bilingual("房产证或租赁合同 deed or lease", "x").en == "deed or lease"
    assert split_bilingual("一寸照片 1-inch photo", "x").zh == "一寸照片"


def test_a_hall_without_a_guide_file_gets_a_plain_guide_from_its_configuration() -> None:
    guide = guide_from_hall(reference_spec())
    entry = guide.entry("real-estate")
    assert entry is not None and [m.zh for m in entry.required] == [
        "身份证",
        "购房合同",
        "完税证明",
    ]
