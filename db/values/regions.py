"""所属地区 by national code (GB/T 2260): the table python-stdnum ships (stdnum/cn/loc.dat,
the one stdnum.cn.ric reads for a 身份证's birthplace), historic codes included.

A code is 6 digits: the province (2), the prefecture-level city (2), the county (2);
330000 浙江省, 330100 杭州市, 330106 西湖区. A code some of whose names end in a year
([1983-2021]下城区) and none is still in use is historic: it stays a valid code (an old
archive may hold it) but searches list the current ones first.

The table is read once, on the first use (a few thousand lines, some tens of ms); the card,
the filter and the upgrade share it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

# Entries that only group counties under a city and name no place a customer is in.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划",
                          "省直辖行政单位", "省直辖县级行政单位", "自治区直辖县级行政单位"})
# The shipped table writes Hong Kong's and Macao's names in traditional characters.
_SIMPLIFIED = str.maketrans({"別": "别", "區": "区", "門": "门"})
# Longest first: 广西壮族自治区 loses 壮族自治区, not only 自治区.
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区",
             "省", "市", "盟")
_CODE = re.compile(r"\d{6}")
_BLANKS = re.compile(r"[\s,，、/·\-]+")


@dataclass(frozen=True)
class Region:
    code: str
    province: str  # 浙江省
    city: str  # 杭州市; "" for a province's own code and for 市辖区 / 县 groupings
    county: str  # 西湖区; "" above county level
    current: bool

    @property
    def level(self) -> int:
        """1 province, 2 city, 3 county."""
        return 1 if self.code.endswith("0000") else 2 if self.code.endswith("00") else 3

    @property
    def name(self) -> str:
        """The most specific name: 西湖区, 杭州市, 浙江省."""
        return self.county or self.city or self.province

    @property
    def full_name(self) -> str:
        """The names from the province down, as 所属地区 shows them: 浙江省杭州市西湖区."""
        return "".join(dict.fromkeys(n for n in (self.province, self.city, self.county) if n))

    @property
    def province_code(self) -> str:
        return self.code[:2]


def short(name: str) -> str:
    """A name without its administrative suffix: 浙江省 浙江, 广西壮族自治区 广西, 杭州市 杭州;
    kept whole when the rest would be one character (西区, 县)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _names(raw: str) -> tuple[str, bool]:
    """The name in use (or the last one) of an entry like "[-1991]东郊区,[1992-]东丽区", and
    whether one of its names is still in use."""
    last = ""
    for part in raw.split(","):
        name, end = part, None
        if part.startswith("["):
            span, name = part[1:].split("]", 1)
            end = span.split("-", 1)[1]
        if not end:
            return name.translate(_SIMPLIFIED), True
        last = name
    return last.translate(_SIMPLIFIED), False


@functools.cache
def table() -> dict[str, Region]:
    """{code: Region} of every code in the shipped table."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    raw: dict[str, tuple[str, bool]] = {}
    provinces: dict[str, str] = {}
    head = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.strip().partition(" ")
        name = value.split("=", 1)[1].strip('"')
        if not line.startswith(" "):
            head = key
            provinces[head] = _names(name)[0]
            continue
        raw[head + key] = _names(name)
    out: dict[str, Region] = {}
    for code, (name, current) in raw.items():
        province = provinces[code[:2]]
        if code.endswith("0000"):
            out[code] = Region(code, province, "", "", current)
            continue
        city_name = raw.get(code[:4] + "00", ("", True))[0]
        city = "" if city_name in PLACEHOLDERS or city_name == province else city_name
        if code.endswith("00"):
            out[code] = Region(code, province, city, "", current)
        else:
            out[code] = Region(code, province, city, "" if name in PLACEHOLDERS else name, current)
    return out


def get(code: str) -> Region | None:
    return table().get(code)


def is_code(text: str) -> bool:
    return bool(_CODE.fullmatch(text)) and text in table()


def province_of(code: str) -> str:
    """The province's own code of any code (330106 -> 330000)."""
    return code[:2] + "0000"


def prefix(code: str) -> str:
    """The leading digits every code inside `code` shares: 330000 33, 330100 3301, 330106 itself."""
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def _placeholder(region: Region) -> bool:
    return region.level > 1 and not (region.county if region.level == 3 else region.city)


def _ordered(regions) -> list[Region]:
    return sorted(regions, key=lambda r: (not r.current, r.code))


@functools.cache
def _index() -> dict[str, list[str]]:
    """{a name a person may write: codes}: full names, the path from the province down
    (浙江省杭州市, 浙江杭州, 浙江 杭州 as one string without blanks), and names without
    their suffix."""
    index: dict[str, list[str]] = {}

    def add(name: str, code: str) -> None:
        if name and code not in index.setdefault(name, []):
            index[name].append(code)

    for region in table().values():
        if _placeholder(region):
            continue
        own = region.name
        for name in (own, short(own)):
            add(name, region.code)
        if region.level > 1:
            for p in (region.province, short(region.province)):
                parts = [x for x in (region.city, region.county) if x]
                add(p + "".join(parts), region.code)
                add(p + "".join(short(x) for x in parts), region.code)
                add(p + short(own), region.code)
                add(p + own, region.code)
    return index


def candidates(text: str) -> list[Region]:
    """The regions a free text names (所属地区 as typed), current ones first, the closest
    level first: a code; an exact name at any level; a name without its suffix
    (浙江, 杭州, 内蒙古); a province and a city or county (浙江 杭州, 浙江省杭州市西湖区)."""
    key = _BLANKS.sub("", (text or "").strip()).translate(_SIMPLIFIED)
    if not key:
        return []
    if _CODE.fullmatch(key):
        found = get(key)
        return [found] if found else []
    return _ordered(table()[c] for c in _index().get(key, ()))


def match(text: str) -> Region | None:
    """The one region a text names, or None when it names none or several (朝阳区 is in
    北京 and in 长春). Among several, a province wins over a city of the same name (吉林),
    and a current code over historic ones."""
    found = candidates(text)
    if not found:
        return None
    current = [r for r in found if r.current] or found
    top = min(r.level for r in current)
    best = [r for r in current if r.level == top]
    return best[0] if len(best) == 1 else None


@functools.cache
def _pinyin() -> dict[str, tuple[str, str]]:
    """{code: (initials, full pinyin)} of each current region's most specific name, made on
    the first pinyin search (pypinyin reads some thousand names in well under a second)."""
    from pypinyin import Style, lazy_pinyin

    out = {}
    for region in table().values():
        if not region.current or _placeholder(region):
            continue
        name = short(region.name)
        out[region.code] = ("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower(),
                            "".join(lazy_pinyin(name)).lower())
    return out


def search(text: str, limit: int = 200, current_only: bool = False) -> list[Region]:
    """Regions for the picker: digits by code prefix (33 every code of 浙江), letters by
    pinyin initials or full pinyin prefix (zj 浙江, hangzhou 杭州), anything else by a part of
    the name or the path (杭州 finds 杭州市 and its districts). Current codes first."""
    text = (text or "").strip().lower()
    rows = [r for r in table().values() if not _placeholder(r) and (r.current or not current_only)]
    if not text:
        found = rows
    elif text.isdigit():
        found = [r for r in rows if r.code.startswith(text)]
    elif text.isascii() and text.isalpha():
        pinyin = _pinyin()
        found = [r for r in rows if r.code in pinyin
                 and (pinyin[r.code][0].startswith(text) or pinyin[r.code][1].startswith(text))]
        found.sort(key=lambda r: (r.level, not pinyin[r.code][0].startswith(text)))
        return _stable_current(found)[:limit]
    else:
        key = _BLANKS.sub("", text).translate(_SIMPLIFIED)
        found = [r for r in rows if key in r.full_name]
        found.sort(key=lambda r: (not r.name.startswith(key), r.level))
        return _stable_current(found)[:limit]
    return _ordered(found)[:limit]


def _stable_current(found: list[Region]) -> list[Region]:
    return [r for r in found if r.current] + [r for r in found if not r.current]


def names(text: str, code: str) -> bool:
    """Whether a 所属地区 text names the region `code` (浙江, 浙江省 and 330000 all name 330000)."""
    return any(r.code == code for r in candidates(text))


def reconcile(text: str, code: str, old_text: str = "", old_code: str = "") -> tuple[str, str]:
    """所属地区 and 所属地区码 as saved, from the values typed and the ones they replace (a new
    customer's are empty). A code typed or picked wins: the text is kept when it names that
    region, else it becomes the region's full name. A text typed alone brings its code along
    when it names one region, and clears a code it no longer names (the health check lists
    such texts), so text and code never tell two places."""
    if code and code != old_code:
        return (text if text and names(text, code) else get(code).full_name), code
    if text != old_text or (text and not code):
        if not text:
            return "", ""
        if code and names(text, code):
            return text, code
        found = match(text)
        return text, found.code if found else ""
    return text, code
