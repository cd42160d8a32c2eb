"""One search box over a hall's guide: Chinese text, pinyin initials or spelling, English.

Pure: the index is built once per hall (pinyin worked out then, by the `spell` function
passed in), and `search(index, query)` is a function of its arguments. Every service gets
its best tier over all the ways it can match; ties keep the hall's order:

    exact name 100 > pinyin of the whole name 90 > name prefix 80 > inside the name 70
    > in order (老年证 → 老年优待证, lnz, "senior card") 60 > alias 50 > near an alias 45
    > a required material 30 > an optional one 25 > conditions or FAQ 20

English matches at word starts only ("id" is not inside "provident").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from displays.guide import GuideEntry, HallGuide

EXACT, PINYIN, PREFIX, INSIDE, IN_ORDER, ALIAS, NEAR_ALIAS, MATERIAL, OPTIONAL, TEXT = (
    100, 90, 80, 70, 60, 50, 45, 30, 25, 20,
)  # fmt: skip
MAX_QUERY = 50  # characters; longer queries are refused by the API
Spell = Callable[[str], Sequence[str]]  # 老年 → ("lao", "nian")
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """What matching compares: full-width to half-width, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Indexed:
    entry: GuideEntry
    order: int  # zone order, then hall order: how an empty query lists services
    name_zh: str
    name_en: str
    en_words: tuple[str, ...]
    initials: str  # 老年优待证 → "lnydz"
    spelled: str  # → "laonianyoudaizheng"
    aliases: tuple[str, ...]  # folded, plus the initials of Chinese aliases (老年证 → lnz)
    required: str
    optional: str
    text: str  # conditions and FAQ, both languages


@dataclass(frozen=True)
class Hit:
    entry: GuideEntry
    score: int

    def as_json(self) -> dict[str, object]:
        e = self.entry
        return {"service": e.service, "name_zh": e.name_zh, "name_en": e.name_en, "zone": e.zone, "score": self.score}  # fmt: skip


@dataclass(frozen=True)
class GuideIndex:
    guide: HallGuide
    items: tuple[Indexed, ...]


def build_index(guide: HallGuide, spell: Spell) -> GuideIndex:
    """Precompute every service's folded names, pinyin and searchable text."""
    zone_rank = {zone[0]: i for i, zone in enumerate(guide.zones)}
    ranked = sorted(enumerate(guide.entries), key=lambda p: (zone_rank[p[1].zone], p[0]))
    return GuideIndex(guide, tuple(_indexed(e, n, spell) for n, (_, e) in enumerate(ranked)))


def _indexed(entry: GuideEntry, order: int, spell: Spell) -> Indexed:
    sounds = tuple(spell(entry.name_zh))
    aliases = [fold(a) for a in entry.aliases]
    aliases += ["".join(s[0] for s in spell(a)) for a in entry.aliases if spell(a)]
    faq = [f"{f.q_zh} {f.a_zh} {f.q_en} {f.a_en}" for f in entry.faq]
    return Indexed(
        entry=entry,
        order=order,
        name_zh=fold(entry.name_zh),
        name_en=fold(entry.name_en),
        en_words=tuple(_WORD.findall(fold(entry.name_en))),
        initials="".join(s[0] for s in sounds),
        spelled="".join(sounds),
        aliases=tuple(dict.fromkeys(a for a in aliases if a)),
        required=fold(" ".join(f"{m.zh} {m.en}" for m in entry.required)),
        optional=fold(" ".join(f"{m.zh} {m.en}" for m in entry.optional)),
        text=fold(" ".join([entry.who_zh, entry.who_en, *faq])),
    )


def search(index: GuideIndex, query: str) -> list[Hit]:
    """Matching services, best first; an empty query lists them all (score 0) by zone."""
    q = fold(query)
    if not q:
        return [Hit(item.entry, 0) for item in sorted(index.items, key=lambda i: i.order)]
    found = [Hit(item.entry, score(item, q)) for item in index.items]  # items are in order
    return sorted((h for h in found if h.score > 0), key=lambda h: -h.score)  # stable sort


def score(item: Indexed, q: str) -> int:
    """The best tier at which folded query `q` matches `item`, or 0."""
    return max(
        _name_tier(q, item.name_zh),
        _name_tier(q, item.name_en, words=True),
        _pinyin_tier(q.replace(" ", ""), item),
        IN_ORDER if _han_in_order(q.replace(" ", ""), item.name_zh) else 0,
        IN_ORDER if _words_in_order(_WORD.findall(q), item.en_words) else 0,
        _alias_tier(q, item.aliases),
        MATERIAL if _mentions(q, item.required) else 0,
        OPTIONAL if _mentions(q, item.optional) else 0,
        TEXT if _mentions(q, item.text) else 0,
    )


def _name_tier(q: str, name: str, words: bool = False) -> int:
    if q == name:
        return EXACT
    if name.startswith(q):
        return PREFIX
    inside = _inside(q, name) if words else q in name
    return INSIDE if inside else 0


def _inside(q: str, text: str) -> bool:
    """Chinese anywhere; Latin text at the start of a word ("id" is not in "provident")."""
    return q in text if not q.isascii() else re.search(rf"\b{re.escape(q)}", text) is not None


def _pinyin_tier(q: str, item: Indexed) -> int:
    if not q.isascii() or not q.isalpha() or not item.initials:
        return 0
    if q in (item.initials, item.spelled):
        return PINYIN
    if item.initials.startswith(q) or item.spelled.startswith(q):
        return PREFIX
    return IN_ORDER if len(q) > 1 and _in_order(q, item.initials) else 0


def _han_in_order(q: str, name: str) -> bool:
    return len(q) > 1 and not q.isascii() and _in_order(q, name)


def _in_order(q: str, name: str) -> bool:
    """Every character of `q` appears in `name`, in order (老年证 in 老年优待证, lnz in lnydz)."""
    rest = iter(name)
    return all(char in rest for char in q)


def _words_in_order(words: Sequence[str], name_words: Iterable[str]) -> bool:
    """Each query word starts a later word of the name ("senior card" → Senior citizen card)."""
    rest = iter(name_words)
    return bool(words) and all(any(w.startswith(word) for w in rest) for word in words)


def _alias_tier(q: str, aliases: Iterable[str]) -> int:
    best = 0
    for alias in aliases:
        if q == alias:
            return ALIAS
        if len(q) > 1 and _inside(q, alias):
            best = NEAR_ALIAS
    return best


def _mentions(q: str, text: str) -> bool:
    """A Chinese query as written, or every English word of it, appears in `text`."""
    if not q.isascii():
        return q in text
    words = _WORD.findall(q)
    return bool(words) and all(len(w) > 2 and re.search(rf"\b{re.escape(w)}", text) for w in words)
