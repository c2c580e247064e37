"""Duplicate rules (查重): what makes two customers likely the same one, without the database.

Names are compared on their core: NFKC folds full-width forms (（北京）, ＡＢＣ) into plain
ones; a bracketed place is dropped and other brackets lose only their marks; legal-form
suffixes (有限公司, 有限责任公司, 股份有限公司, 集团, Co., Ltd.) and a leading province or
city (the GB/T 2260 names python-stdnum ships) are taken off, the place kept apart: 北京华联综合
超市股份有限公司 and （北京）华联综合超市有限公司 share the core 华联综合超市 and the place 北京.
Two cores are scored with rapidfuzz's ratio, and again on their pinyin (homophones: 华联 and
华连 sound alike); two different places mean two companies (遵义聚丰 is not 厦门聚丰), so the
name then counts for little.

Telephone numbers are compared on their digits: +86 / 0086 dropped, a mobile (1[3-9] and 9
more digits) kept whole, a landline split into its area code and subscriber number, an area
code missing on one side not counting against a match. Tax ids are compared exactly, as the
card stores them (compact, upper case).

`blocking_keys` gives the keys under which a customer is filed for finding its candidates
through an index or a dict, never by comparing all pairs; `compare` scores one pair and names
the reasons.
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from typing import NamedTuple

from rapidfuzz.distance import Indel

# Scores (0-100) of each reason alone; a pair with several reasons scores its best one plus
# BONUS for each other, at most 100.
TAX_ID, MOBILE, PHONE, NAME, SOUND = "tax_id", "mobile", "phone", "name", "sound"
EXACT_SCORE = {TAX_ID: 100, MOBILE: 90, PHONE: 85}
SAME_CORE = 95  # the same core name, places not differing
SAME_SOUND = 90  # another spelling of the same pinyin (华联 / 华连)
BONUS = 5
NAME_FLOOR = 75  # a name ratio below this is no reason at all
OTHER_PLACE = 0.6  # the name's weight when the two names start with different places
DEFAULT_MIN_SCORE = 80
SHORT_CORE, SHORT_SCORE = 3, 80  # a core this short (a person's name) scores at most this by name

# Longest first, so 股份有限公司 goes whole, before 有限公司 could leave 股份 behind.
LEGAL_FORMS = sorted(("股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团有限公司", "集团公司",
                      "集团", "总公司", "公司", "companylimited", "colimited", "coltd", "limited",
                      "ltd", "inc", "corporation", "corp", "company", "co"), key=len, reverse=True)
# Suffixes of place names, dropped for the short form (浙江省 -> 浙江, 杭州市 -> 杭州).
PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "特別行政區", "自治区", "自治州",
                  "地区", "省", "市", "盟")
_BRACKETS = re.compile(r"[(\[{【〔]([^)\]}】〕]*)[)\]}】〕]")
_DROP = re.compile(r"[\s\W_]+")  # spaces, punctuation, symbols (after the brackets are read)


class Name(NamedTuple):
    """A name as it is compared: its leading place ("" none) and its core. A tuple, like
    Card: the report makes a million of each, and a frozen dataclass costs several times
    as much to build."""

    place: str
    core: str
    sound: str  # the core's pinyin, toneless, one syllable per character


@functools.cache
def places() -> frozenset[str]:
    """Province and prefecture names, full and short (北京市, 北京; 杭州市, 杭州), from the
    administrative-division table python-stdnum ships (stdnum/cn/loc.dat), historic ones too."""
    import stdnum.cn

    found: set[str] = set()
    path = os.path.join(os.path.dirname(stdnum.cn.__file__), "loc.dat")
    with open(path, encoding="utf-8") as data:
        for line in data:
            match = re.match(r'\s*(\d+) (?:province|county)="([^"]*)"', line)
            if match is None:
                continue
            code, name = match.groups()
            # The province (2 digits) or a prefecture (4 digits ending 00, not 0000).
            if len(code) == 2 or (len(code) == 4 and code.endswith("00") and code != "0000"):
                # "[-1980]旅大市,[1981-]大连市": each name the code had, with its years.
                for each in re.sub(r"\[[^\]]*\]", "", name).split(","):
                    if len(each) >= 2 and each not in ("市辖区", "县", "省直辖县级行政区划"):
                        found.add(each)
                        short = _short_place(each)
                        if len(short) >= 2:
                            found.add(short)
    return frozenset(found)


def _short_place(name: str) -> str:
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@functools.cache
def _places_by_head() -> dict[str, tuple[tuple[str, str], ...]]:
    """Place names by their first two characters, longest first, each with its short form."""
    heads: dict[str, list[str]] = {}
    for place in places():
        heads.setdefault(place[:2], []).append(place)
    return {head: tuple((p, _short_place(p)) for p in sorted(names, key=len, reverse=True))
            for head, names in heads.items()}


def _leading_place(text: str) -> tuple[str, str]:
    """(place, rest) for the longest place name `text` starts with, the place in its short
    form; ("", text) when it starts with none or nothing would be left."""
    for place, short in _places_by_head().get(text[:2], ()):
        if text.startswith(place) and len(text) > len(place) and text[len(place):] not in PLACE_SUFFIXES:
            return short, text[len(place):]
    return "", text


# One or more legal forms ending the text, matched on the reversed text: an alternation
# anchored at the start, far quicker than a lazy match of the head (a million names).
_FORMS_REVERSED = re.compile("(?:%s)+" % "|".join(re.escape(f[::-1]) for f in LEGAL_FORMS))


def _strip_forms(text: str) -> str:
    match = _FORMS_REVERSED.match(text[::-1])
    if match is None or match.end() >= len(text):
        return text if match is None else _strip_shorter(text)
    return text[: len(text) - match.end()]


def _strip_shorter(text: str) -> str:
    """`text` is legal forms alone (有限公司): take off one fewer form, so something is left."""
    for form in LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            return _strip_forms(text[: -len(form)])
    return text


def name_of(text: str) -> Name:
    """The place and the core of a customer's name (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    bracket_place = ""

    def unbracket(match: re.Match) -> str:
        nonlocal bracket_place
        inner = _DROP.sub("", match.group(1))
        if inner in places():
            bracket_place = bracket_place or _short_place(inner)
            return ""
        return "" if inner in LEGAL_FORMS else inner  # 华联（集团）: a legal form in brackets

    text = _DROP.sub("", _BRACKETS.sub(unbracket, text))
    text = _strip_forms(text)
    place, core = "", text
    # A place may lead twice: 浙江省杭州市 -> the city counts (the narrower place).
    for _ in range(2):
        found, rest = _leading_place(core)
        if not found:
            break
        place, core = found, _strip_forms(rest)
    return Name(place or bracket_place, core, sound_of(core))


@functools.cache
def _syllable(ch: str) -> str:
    """The default reading of one character, toneless ("" for what is not Chinese)."""
    from pypinyin import Style, lazy_pinyin

    reading = lazy_pinyin(ch, style=Style.NORMAL, errors=lambda chunk: [chunk.lower()])
    return reading[0] if reading else ""


def sound_of(text: str) -> str:
    """Pinyin of `text`, one default reading per character, syllables joined by spaces. Per
    character, not by phrase, so it is the same for every name holding those characters (the
    report files a million names by it) and cached once per character."""
    return " ".join(_syllable(ch) for ch in text)


def numbers_of(phone: str, mobile: str = "") -> frozenset[str]:
    """The telephone numbers of a card in their compared form: a mobile as its 11 digits, a
    landline as "area-subscriber" ("-subscriber" without an area code). A phone field may
    hold several numbers (010-65123456 / 65123457, "13912345678；010-..."), split on
    separators that are not the dash inside a number."""
    plain = _plain_numbers(phone, mobile)
    if plain is not None:
        return plain
    found: set[str] = set()
    for part in re.split(r"[/,;，；、]|\s{2,}|转|ext", unicodedata.normalize("NFKC", f"{phone};{mobile}")):
        number = _number(part)
        if number:
            found.add(number)
    return frozenset(found)


_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def _plain_numbers(phone: str, mobile: str) -> frozenset[str] | None:
    """The numbers of the usual card at once (0851-24955453 and an 11-digit mobile, or
    either empty): what `numbers_of` would make of them; None for anything else."""
    found = set()
    if phone:
        match = _LANDLINE.fullmatch(phone)
        if match is None or (len(match.group(1)) == 3) != (phone[1] in "12"):
            return None
        found.add(phone)
    if mobile:
        if not _MOBILE.fullmatch(mobile):
            return None
        found.add(mobile)
    return frozenset(found)


def _number(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    if len(digits) >= 10 and not digits.startswith("0"):
        digits = "0" + digits  # +86 10 6512 3456: the trunk 0 left out after the country code
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        # Area codes are 3 digits when they start 01 or 02 (010 Beijing, 021-029), else 4.
        area = 3 if digits[1] in "12" else 4
        return f"{digits[:area]}-{digits[area:]}"
    if 7 <= len(digits) <= 8:
        return f"-{digits}"
    return ""


def subscriber(number: str) -> str:
    """What two forms of one number share: the mobile, or the landline without its area code."""
    return number.rsplit("-", 1)[-1]


def same_number(a: str, b: str) -> bool:
    if subscriber(a) != subscriber(b):
        return False
    area_a, area_b = a.partition("-")[0] if "-" in a else None, b.partition("-")[0] if "-" in b else None
    return not area_a or not area_b or area_a == area_b


class Card(NamedTuple):
    """What the duplicate rules read of a customer (or of a card being typed)."""

    name: Name
    tax_id: str
    numbers: frozenset[str]
    subscribers: frozenset[str] = frozenset()  # the numbers' subscriber parts, a quick test

    @classmethod
    def of(cls, name: str, tax_id: str = "", phone: str = "", mobile: str = "") -> "Card":
        return cls.made(name_of(name), (tax_id or "").strip().upper(), numbers_of(phone, mobile))

    @classmethod
    def made(cls, name: Name, tax_id: str, numbers: frozenset[str]) -> "Card":
        return cls(name, tax_id, numbers, frozenset(map(subscriber, numbers)))


def blocking_keys(card: Card) -> set[str]:
    """The keys this card is filed under: two cards that could be duplicates share one. A
    fuzzy name match (a typo in the core) is found through the core's first three
    characters (two names must start alike to match: _same_head)."""
    keys = {f"t:{card.tax_id}"} if card.tax_id else set()
    keys |= {f"n:{subscriber(n)}" for n in card.numbers}
    core = card.name.core
    if core:
        keys |= {f"c:{core}", f"s:{card.name.sound}"}
        if len(core) >= 4:
            keys |= {f"h:{core[:3]}"}
    return keys


def name_score(a: Name, b: Name) -> tuple[int, str]:
    """(score, reason) of two names: SAME_CORE for one core, SAME_SOUND for one pinyin, else
    the rapidfuzz ratio of the cores (or of their pinyin, when that is higher, counted as
    sound); weighed down by OTHER_PLACE when both name a place and the places differ."""
    if not a.core or not b.core:
        return 0, ""
    if a.core == b.core:
        score, reason = SAME_CORE, NAME
    elif a.sound == b.sound:
        score, reason = SAME_SOUND, SOUND
    elif not _same_head(a, b):
        return 0, ""  # 联华电器销售 and 华盛电器销售 share a trade, not a name
    else:
        by_text = round(Indel.normalized_similarity(a.core, b.core) * 100)
        # By syllables, not letters: hua lian and hou lin share letters, not one sound.
        by_sound = round(Indel.normalized_similarity(a.sound.split(), b.sound.split()) * 100)
        score, reason = (by_text, NAME) if by_text >= by_sound else (by_sound, SOUND)
        score = min(score, SAME_SOUND - 1)
    if a.place and b.place and a.place != b.place:
        score = round(score * OTHER_PLACE)
    if _numerals(a.core) != _numerals(b.core):
        return 0, ""  # 第一人民医院 and 第二人民医院, 一分店 and 二分店: numbered apart
    if min(len(a.core), len(b.core)) <= SHORT_CORE:
        score = min(score, SHORT_SCORE)  # 张涛 and 张涛: a person's name is shared by many
    return (score, reason) if score >= NAME_FLOOR else (0, "")


def _same_head(a: Name, b: Name) -> bool:
    """Whether two cores start alike: their first two characters, or the sound of them, the
    same. What follows the trade name (字号) is mostly the trade (电器销售, 商贸发展), so
    a ratio over the whole core would pair every two shops of one trade in one city."""
    return a.core[:2] == b.core[:2] or a.sound.split()[:2] == b.sound.split()[:2]


_NUMERAL = re.compile(r"[0-9零〇一二三四五六七八九十]")  # not 百 千: 百货, 千岛湖


def _numerals(core: str) -> list[str]:
    return _NUMERAL.findall(core)


def compare(a: Card, b: Card) -> tuple[int, list[str]]:
    """The pair's score (0-100) and its reasons, the strongest first; (0, []) for no match."""
    found: list[tuple[int, str]] = []
    if a.tax_id and a.tax_id == b.tax_id:
        found.append((EXACT_SCORE[TAX_ID], TAX_ID))
    shared = ([x for x in a.numbers for y in b.numbers if same_number(x, y)]
              if not a.subscribers.isdisjoint(b.subscribers) else [])
    if shared:
        kind = MOBILE if any(not ("-" in n) for n in shared) else PHONE
        found.append((EXACT_SCORE[kind], kind))
    score, reason = name_score(a.name, b.name)
    if reason:
        found.append((score, reason))
    if not found:
        return 0, []
    found.sort(reverse=True)
    return min(100, found[0][0] + BONUS * (len(found) - 1)), [reason for _, reason in found]
