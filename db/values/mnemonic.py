"""助记码: lowercase pinyin initials, what people type to look a customer up (bjhl -> 北京华联).

pypinyin's phrase dictionary settles most heteronyms by context (重庆 cq, 银行 yh, 长沙 cs),
but a surname has its own reading that the dictionary does not know: pypinyin reads 曾小明
as c-x-m, where the surname 曾 is Zēng. SURNAMES holds the readings it gets wrong.
"""
from __future__ import annotations

import re
import unicodedata


# Surname readings of characters whose common reading differs: 曾 Zēng (not céng), 单 Shàn
# (not dān), 解 Xiè (not jiě), 仇 Qiú (not chóu), 区 Ōu (not qū), 查 Zhā (not chá), 朴 Piáo.
SURNAMES = {"曾": "z", "单": "s", "解": "x", "仇": "q", "区": "o", "查": "z", "朴": "p"}

# CJK unified ideographs, extension A, compatibility ideographs, and the supplementary planes.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def reads_as_surname(text: str) -> bool:
    """Whether the first character of `text` should take its surname reading.

    Only when the whole text has the shape of a person's name, 2 to 4 Chinese characters
    and nothing else (Chinese names, compound surnames included, are that long), and the
    first two characters are not a word pypinyin knows. Company names are longer or hold
    words: 解放军 and 区域经理 start with the words 解放 and 区域, 区人民医院 is five
    characters, so 解 and 区 keep their common readings there; 曾小明, 单田芳, 查良镛 and
    区家伟 get z, s, z and o. Applying the table to every first character would misread
    区政府招待所 as o; never applying it misreads most people with these surnames. A name the
    rule gets wrong (区医院) can be corrected by hand: the mnemonic is editable.
    """
    if not (2 <= len(text) <= 4 and text[0] in SURNAMES and all(_HAN.fullmatch(ch) for ch in text)):
        return False
    from pypinyin.constants import PHRASES_DICT

    return text[:2] not in PHRASES_DICT


def initials(text: str) -> str:
    """Lowercase pinyin initials of the Chinese characters of `text`; ASCII letters and
    digits kept (lowercased), everything else dropped: "A1北京华联(集团)" -> "a1bjhljt"."""
    # NFKC folds full-width letters and digits typed with a Chinese IME into ASCII ones.
    text = unicodedata.normalize("NFKC", text or "").strip()
    head = ""
    if reads_as_surname(text):
        head, text = SURNAMES[text[0]], text[1:]
    # Imported here, for start-up time: pypinyin loads its dictionaries on import, which the
    # app's first screen and `kehu find` should not pay; the first mnemonic does.
    from pypinyin import Style, lazy_pinyin

    # Unreadable chunks come back character by character, so letters and digits survive.
    pieces = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chunk: list(chunk))
    letters = "".join(pieces).lower()
    return head + "".join(ch for ch in letters if ch.isascii() and ch.isalnum())
