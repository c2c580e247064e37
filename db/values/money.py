"""Money and percentages: typed text to exact integers and back, never through float.

The digits are read as integers (whole part * 100 + the two decimals), which is as exact as
Decimal and cannot meet a float on the way.

Money is kept as integer fen (分): "1,234.50" -> 123450. Accepted: digits with an optional
decimal part, thousands grouped by commas in threes, a leading ¥ (or full-width ￥), a trailing
元, a leading minus where negatives are allowed. Commas must group in threes because "12,34"
may be a European decimal comma; reading it as 1234 would be off by a factor of 100.

More than two decimals are refused unless the extra digits are zeros ("1.500" is exactly
1.50; spreadsheets write such text), because rounding would change what was typed.

The discount rate (扣率) is kept in hundredths of a percent: "12.5" or "12.5%" -> 1250.
"""
from __future__ import annotations

import re
import unicodedata

from db.core.errors import RuleError

# 9,999,999,999,999.99 yuan: within a 64-bit integer and still exact as a double (below
# 2**53), so sums stay exact in any database function or JSON reader that goes through float.
MAX_FEN = 10**15 - 1
MAX_PERCENT = 100
MONEY_LABEL = "money.label"
PERCENT_LABEL = "percent.label"

_MONEY = re.compile(
    r"(?P<sign>-)?\s*¥?\s*(?P<sign2>-)?\s*"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?\s*元?")
_PERCENT = re.compile(r"(?P<sign>-)?\s*(?P<int>\d+)?(?:\.(?P<frac>\d*))?\s*%?")
# Python refuses int() of very long digit strings; anything this long is too large anyway.
_MAX_DIGITS = 20


def _normal(text) -> str:
    """The typed text with full-width characters (￥ ， ． ％ digits) folded to ASCII."""
    return unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()


def _hundredths(int_part: str, frac: str) -> int | None:
    """int_part.frac as an exact count of hundredths, None when it has a non-zero third
    decimal."""
    if len(frac) > 2:
        if frac[2:].strip("0"):
            return None
        frac = frac[:2]
    return int(int_part or "0") * 100 + int((frac or "").ljust(2, "0"))


# An amount as a file or a program writes it (1776.28, -5, 0.5): read without the folding
# and the general pattern below, which were most of a million-sale import's planning.
_PLAIN = re.compile(r"(-?)(\d{1,15})(?:\.(\d{1,2}))?")


def parse_money(text, *, field: str | None = None, label: str = MONEY_LABEL,
                negative: bool = False) -> int:
    """Typed money to integer fen; empty is 0. Refuses (RuleError, field=field) text that is
    not an amount, more than 2 decimals, a negative when `negative` is False, and more than
    MAX_FEN."""
    if type(text) is str and (plain := _PLAIN.fullmatch(text)) is not None and (negative or not plain[1]):
        fen = int(plain[2]) * 100 + int((plain[3] or "0").ljust(2, "0"))
        if fen <= MAX_FEN:
            return -fen if plain[1] else fen
    clean = _normal(text)
    if not clean:
        return 0
    match = _MONEY.fullmatch(clean)
    if match is None or (match["int"] is None and not match["frac"]) or (
            match["sign"] and match["sign2"]):
        raise RuleError("money.invalid", field=field, label=label, text=str(text))
    int_part = (match["int"] or "").replace(",", "")
    if len(int_part.lstrip("0")) > _MAX_DIGITS:
        raise RuleError("money.too_large", field=field, label=label, max=format_money(MAX_FEN))
    fen = _hundredths(int_part, match["frac"] or "")
    if fen is None:
        raise RuleError("money.decimals", field=field, label=label, text=str(text))
    if match["sign"] or match["sign2"]:
        if fen and not negative:
            raise RuleError("money.negative", field=field, label=label, text=str(text))
        fen = -fen
    if abs(fen) > MAX_FEN:
        raise RuleError("money.too_large", field=field, label=label, max=format_money(MAX_FEN))
    return fen


def format_money(fen: int) -> str:
    """Integer fen as "1,234.50" ("-1,234.50" when negative)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def parse_percent(text, *, field: str | None = None, label: str = PERCENT_LABEL) -> int:
    """"12.5" or "12.5%" to hundredths of a percent (1250); empty is 0; 0..100 inclusive,
    at most 2 decimals."""
    clean = _normal(text)
    if not clean:
        return 0
    match = _PERCENT.fullmatch(clean)
    if match is None or (match["int"] is None and not match["frac"]):
        raise RuleError("percent.invalid", field=field, label=label, text=str(text))
    if len((match["int"] or "").lstrip("0")) > _MAX_DIGITS:
        raise RuleError("percent.range", field=field, label=label, text=str(text), max=MAX_PERCENT)
    value = _hundredths(match["int"] or "", match["frac"] or "")
    if value is None:
        raise RuleError("percent.decimals", field=field, label=label, text=str(text))
    if (match["sign"] and value) or value > MAX_PERCENT * 100:
        raise RuleError("percent.range", field=field, label=label, text=str(text), max=MAX_PERCENT)
    return value


def format_percent(hundredths: int) -> str:
    """Hundredths of a percent as the shortest exact text: 1250 -> "12.5", 1000 -> "10"."""
    whole, part = divmod(int(hundredths), 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)
