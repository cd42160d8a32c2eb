"""Chinese names spelled in pinyin, so `lnz` and `laonian` can find 老年优待证.

Only the Han characters are spelled (punctuation, Latin letters and digits are dropped),
one toneless syllable each; pypinyin reads the name as a phrase, so a character with two
readings gets the one its neighbours call for (长期 → chang qi).
"""

from __future__ import annotations

from pypinyin import lazy_pinyin


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def syllables(text: str) -> tuple[str, ...]:
    """'民政（婚姻·低保）' → ('min', 'zheng', 'hun', 'yin', 'di', 'bao')."""
    han = "".join(char for char in text if is_han(char))
    return tuple(lazy_pinyin(han)) if han else ()
