"""Sort keys: Chinese text in pinyin order, as U8 lists it (丁佳琪, 三亚, 万洋 is d, s, w), where
code-point order put 丁 万 三 first because of where Unicode happens to number them.

A key spells each Chinese character as its syllable and tone number followed by a space
("北京" -> "bei3 jing1 "); letters are lowercased and kept, so 阿里 and Alibaba both sort under
a, as a Chinese contact list does. Comparing keys as plain bytes (C collation) then gives
pinyin order: the space sorts before every letter ("a1 " before "ai4 "), the tone digit before
a longer syllable ("ba1" before "bai1"). Ties (the same pinyin) are broken by customer code.

Each character takes its most common reading, not the one a phrase would give (重庆 sorts
under zhong, not chong): the key is made on every write of a name, a million at an import,
which a per-character table does in one str.translate where pypinyin's phrase matching costs
tens of microseconds a name. A person's name reads its surname as a surname (曾 zeng, not
ceng), by the rule the mnemonic follows (db.values.mnemonic).
"""
from __future__ import annotations

import functools
import unicodedata

from db.values import mnemonic

# The customer columns holding the keys of the name columns (db.core.models.Customer).
KEY_COLUMNS = {"name": "name_key", "short_name": "short_key"}

# The surname readings of mnemonic.SURNAMES, as syllables.
SURNAME_KEYS = {"曾": "zeng1 ", "单": "shan4 ", "解": "xie4 ", "仇": "qiu2 ", "区": "ou1 ",
                "查": "zha1 ", "朴": "piao2 "}

# Tone marks, as NFD leaves them after the vowel, and the tone numbers they stand for.
_TONES = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}


def _numbered(reading: str) -> str:
    """"zhuàng" -> "zhuang4", "lǘ" -> "lv2", "de" -> "de5" (the neutral tone)."""
    tone = "5"
    letters = []
    for ch in unicodedata.normalize("NFD", reading):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch == "\u0308":  # ü: spelled v, as pinyin input methods type it
            letters[-1] = "v"
        elif ch.isascii():
            letters.append(ch)
    return "".join(letters) + tone


@functools.cache
def _table() -> dict[int, str]:
    # Loaded on the first key, not at start-up: pypinyin's table takes 0.2 s to import.
    from pypinyin.pinyin_dict import pinyin_dict

    return {point: _numbered(readings.split(",", 1)[0]) + " " for point, readings in pinyin_dict.items()}


def key(text: str) -> str:
    """The sort key of a name: "北京华联(集团)" -> "bei3 jing1 hua2 lian2 (ji2 tuan2 )"."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    if mnemonic.reads_as_surname(text):
        return SURNAME_KEYS[text[0]] + text[1:].translate(_table())
    return text.translate(_table())


def keys_of(values: dict) -> dict[str, str]:
    """The sort-key columns of the name columns `values` sets: {"name_key": ...}."""
    return {column: key(values[name]) for name, column in KEY_COLUMNS.items() if name in values}
