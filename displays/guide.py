"""The service guide (事项导航): what each service of a hall asks of a resident, as values.

A hall's guide is a data file keyed by service id (`hallq/data/guides/<hall>.toml`);
`guide_from_mapping` checks it against the hall's configuration and raises
`InvalidConfiguration` naming the first wrong entry, so a gap in the guide is found when
the server starts and never when a resident opens the page. The windows of a service are
not in the file: they are the hall's windows whose skills include it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from queue_core.errors import InvalidConfiguration
from queue_core.hall_spec import HallSpec, ServiceSpec

# "身份证 ID card" → ("身份证", "ID card"): the Chinese runs up to the first space that
# is followed by Latin text or a digit (the hall file writes materials this way too).
_BILINGUAL = re.compile(r"^(?P<zh>.*?[^\x00-\x7f]) (?P<en>[\x21-\x7e].*)$")


@dataclass(frozen=True)
class Material:
    zh: str
    en: str


@dataclass(frozen=True)
class Faq:
    q_zh: str
    a_zh: str
    q_en: str
    a_en: str


@dataclass(frozen=True)
class GuideEntry:
    """Everything a resident should know before coming for one service."""

    service: str
    name_zh: str
    name_en: str
    zone: str
    zone_zh: str
    zone_en: str
    windows: tuple[int, ...]
    who_zh: str
    who_en: str
    required: tuple[Material, ...]
    optional: tuple[Material, ...]
    days: int  # 0: done on the spot
    fee_yuan: float  # 0: free
    fee_note_zh: str
    fee_note_en: str
    faq: tuple[Faq, ...]
    aliases: tuple[str, ...]  # the guide's aliases and the hall's search keywords

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"windows": list(self.windows)}


@dataclass(frozen=True)
class HallGuide:
    hall: str
    name_zh: str
    name_en: str
    zones: tuple[tuple[str, str, str], ...]  # (id, name_zh, name_en), in the hall's order
    entries: tuple[GuideEntry, ...]  # in the hall's service order

    def entry(self, service: str) -> GuideEntry | None:
        return next((e for e in self.entries if e.service == service), None)


def _bad(where: str, zh: str, en: str) -> InvalidConfiguration:
    return InvalidConfiguration(
        f"事项导航配置错误（{where}）：{zh}", f"bad service guide at {where}: {en}"
    )


def split_bilingual(text: str, where: str) -> Material:
    """'身份证 ID card' → Material('身份证', 'ID card'); anything else is refused."""
    found = _BILINGUAL.match(text.strip())
    if found is None:
        raise _bad(
            where,
            f"材料须写作“中文 English”：{text!r}",
            f"write a material as '中文 English': {text!r}",
        )
    return Material(found["zh"], found["en"])


def _text(raw: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise _bad(f"{where}.{key}", "缺少文字或类型错误", "missing or not text")
    return value.strip()


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise _bad(f"{where}.{key}", "须为列表", "must be a list")
    return value


def _faq(raw: Any, where: str) -> Faq:
    if not isinstance(raw, Mapping):
        raise _bad(where, "须为 {q_zh, a_zh, q_en, a_en}", "must be {q_zh, a_zh, q_en, a_en}")
    return Faq(*(_text(raw, k, where) for k in ("q_zh", "a_zh", "q_en", "a_en")))


def _number(raw: Mapping[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _bad(f"{where}.{key}", "须为不小于 0 的数", "must be a number of at least 0")
    return float(value)


def _entry(raw: Any, spec: HallSpec, service: ServiceSpec) -> GuideEntry:
    where = f"services.{service.id}"
    if not isinstance(raw, Mapping):
        raise _bad(where, "须为表", "must be a table")
    zone = next(z for z in spec.zones if z.id == service.zone)
    aliases = [str(a) for a in _list(raw, "aliases", where)]
    faq = [_faq(f, f"{where}.faq[{i}]") for i, f in enumerate(_list(raw, "faq", where))]
    if not faq:
        raise _bad(f"{where}.faq", "至少一条常见问题", "at least one question")
    required = [split_bilingual(str(m), f"{where}.required") for m in _list(raw, "required", where)]
    if not required:
        raise _bad(f"{where}.required", "至少一项必备材料", "at least one required material")
    return GuideEntry(
        service=service.id,
        name_zh=service.name_zh,
        name_en=service.name_en,
        zone=zone.id,
        zone_zh=zone.name_zh,
        zone_en=zone.name_en,
        windows=tuple(w.number for w in spec.windows if service.id in w.skills),
        who_zh=_text(raw, "who_zh", where),
        who_en=_text(raw, "who_en", where),
        required=tuple(required),
        optional=tuple(
            split_bilingual(str(m), f"{where}.optional") for m in _list(raw, "optional", where)
        ),
        days=int(_number(raw, "days", where)),
        fee_yuan=_number(raw, "fee_yuan", where),
        fee_note_zh=_text(raw, "fee_note_zh", where, ""),
        fee_note_en=_text(raw, "fee_note_en", where, ""),
        faq=tuple(faq),
        aliases=tuple(dict.fromkeys([*aliases, *service.keywords])),
    )


def guide_from_mapping(raw: Mapping[str, Any], spec: HallSpec) -> HallGuide:
    """The hall's checked guide: one entry per service of `spec`, or `InvalidConfiguration`
    naming the first service without an entry, the first unknown one, or the first bad field."""
    if raw.get("hall", spec.id) != spec.id:
        raise _bad(
            "hall",
            f"属于 {raw['hall']!r}，而非 {spec.id!r}",
            f"is for {raw['hall']!r}, not {spec.id!r}",
        )
    entries = raw.get("services")
    if not isinstance(entries, Mapping):
        raise _bad("services", "缺少 [services.<业务>] 表", "missing the [services.<id>] tables")
    known = {s.id for s in spec.services}
    for name in entries:
        if name not in known:
            raise _bad(f"services.{name}", "大厅没有此业务", "the hall has no such service")
    for service in spec.services:
        if service.id not in entries:
            raise _bad(f"services.{service.id}", "缺少此业务的条目", "this service has no entry")
    return HallGuide(
        hall=spec.id,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        zones=tuple((z.id, z.name_zh, z.name_en) for z in spec.zones),
        entries=tuple(_entry(entries[s.id], spec, s) for s in spec.services),
    )


def guide_from_hall(spec: HallSpec) -> HallGuide:
    """A plain guide for a hall without a guide file: the hall's own materials, as required,
    and nothing it does not know (no conditions, fees or questions)."""
    services: dict[str, Any] = {
        s.id: {
            "who_zh": "请咨询窗口",
            "who_en": "please ask at a window",
            "required": [m for m in s.materials if _BILINGUAL.match(m)] or ["身份证 ID card"],
            "days": 0,
            "fee_yuan": 0,
            "faq": [{"q_zh": "还有问题？", "a_zh": "请到窗口咨询。", "q_en": "Any other question?", "a_en": "Please ask at a window."}],
        }
        for s in spec.services
    }  # fmt: skip
    return guide_from_mapping({"hall": spec.id, "services": services}, spec)
