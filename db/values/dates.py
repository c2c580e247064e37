"""Dates as people type them, and as the archive shows them (YYYY-MM-DD).

Accepted: 2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日; 3/5, 3-5, 3.5 and 3月5日 for
this year (month first, the Chinese order); an ISO timestamp such as 2024-03-05T10:30 or
2024-03-05 10:30:00 (what spreadsheets export), whose time is dropped. Empty means no date.

The typed forms are matched by patterns here rather than by dateutil's general parser:
its fuzzy mode silently takes the current year for 2024年3月5日, and even strict mode fills
missing parts from a default (it reads "2024-03" as 1 March). dateutil's `isoparse`, which is
strict, reads the timestamps. Impossible dates (2023-02-29) and years outside MIN_YEAR..MAX_YEAR
(a typo like 0224) are refused.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from db.core import clock
from db.core.errors import RuleError

MIN_YEAR = 1900
MAX_YEAR = 2099
GENERIC_LABEL = "date.label"

_FULL = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_HAN_FULL = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_THIS_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})")
_HAN_THIS_YEAR = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def parse_date(text, today: dt.date | None = None, *, field: str | None = None,
               label: str = GENERIC_LABEL) -> dt.date | None:
    """The date `text` means, None when empty; RuleError("date.invalid" or
    "date.out_of_range", field=field) otherwise. A date or datetime passes through (import
    reads them from spreadsheet cells). `today` supplies the year of 3/5 (default: the clock)."""
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        return _in_range(text.date(), str(text), field, label)
    if isinstance(text, dt.date):
        return _in_range(text, str(text), field, label)
    raw = str(text)
    # NFKC turns full-width digits and separators typed with a Chinese IME into ASCII ones.
    clean = unicodedata.normalize("NFKC", raw).strip()
    if not clean:
        return None
    parts = _parts(clean, today)
    if parts is None:
        raise RuleError("date.invalid", field=field, label=label, text=raw)
    year, month, day = parts
    try:
        found = dt.date(year, month, day)
    except ValueError:
        raise RuleError("date.invalid", field=field, label=label, text=raw) from None
    return _in_range(found, raw, field, label)


def _parts(clean: str, today: dt.date | None) -> tuple[int, int, int] | None:
    for pattern in (_FULL, _COMPACT, _HAN_FULL):
        match = pattern.fullmatch(clean)
        if match:
            numbers = [g for g in match.groups() if g.isdigit()]
            return int(numbers[0]), int(numbers[1]), int(numbers[2])
    for pattern in (_THIS_YEAR, _HAN_THIS_YEAR):
        match = pattern.fullmatch(clean)
        if match:
            numbers = [g for g in match.groups() if g.isdigit()]
            year = (today or clock.today()).year
            return year, int(numbers[0]), int(numbers[1])
    if _TIMESTAMP.fullmatch(clean):
        # Imported here, for start-up time: every start (the archive's first screen, `kehu
        # find`) would pay for loading dateutil's parser, for a rare form.
        from dateutil.parser import isoparse

        try:
            stamp = isoparse(clean)
        except ValueError:
            return None
        return stamp.year, stamp.month, stamp.day
    return None


def _in_range(value: dt.date, raw: str, field, label) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise RuleError("date.out_of_range", field=field, label=label, text=raw,
                        min=MIN_YEAR, max=MAX_YEAR)
    return value


def format_date(value: dt.date | None) -> str:
    """YYYY-MM-DD, or "" for no date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()
