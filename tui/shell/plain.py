"""Plain-text output for the shell commands: aligned tables that fit the terminal.

Chinese characters take two columns on a terminal, so widths are counted with
unicodedata.east_asian_width, not len(). Data is printed literally: a name holding markup such
as [bold red] shows as typed (nothing here interprets markup), and control characters (an ESC
that would start an ANSI sequence, a newline that would break a row) are shown escaped. The
only styling is a bold header, and only on a terminal that allows colour (not when piped,
not with NO_COLOR).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import unicodedata

from tui.i18n import t

ELLIPSIS = "…"
GAP = "  "


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def safe(value) -> str:
    """The value as text with every control character escaped (ESC -> \\x1b)."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)


# The largest count an option takes: far above any list, and far inside SQLite's integers
# (20 digits would overflow them).
MAX_COUNT = 10**9


def count(text: str) -> int:
    """An option's count (argparse type): an integer of at most MAX_COUNT either way."""
    value = int(text)
    if abs(value) > MAX_COUNT:
        raise argparse.ArgumentTypeError(t("cli.too_big", text=message(text)[:40], max=f"{MAX_COUNT:,}"))
    return value


def number(value: int) -> str:
    """A count as the shell prints every count: with thousands separators (9,351)."""
    return f"{value:,}"


# A message echoes what the user typed: a 100 KB argument is shown cut, the line readable.
MESSAGE_CHARS = 400


def message(text: str) -> str:
    """A message for standard error: control characters escaped (safe), so on one line, and
    cut to MESSAGE_CHARS characters."""
    line = safe(text)
    return line if len(line) <= MESSAGE_CHARS else line[:MESSAGE_CHARS - 1] + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` columns, an ellipsis marking the cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def on_terminal() -> bool:
    return sys.stdout.isatty()


def terminal_width() -> int | None:
    """The columns output may take: the terminal's, or None (no limit) when standard output
    is not a terminal: piped or redirected output is read by a program or kept in a file,
    and a cut line there is lost data, not a tidier screen."""
    return shutil.get_terminal_size((100, 24)).columns if on_terminal() else None


def styled(stream=None) -> bool:
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def bold(text: str) -> str:
    return f"\x1b[1m{text}\x1b[0m" if styled() else text


def table(headers: list[str], rows: list[list], *, shrink: tuple[int, ...] = (),
          total: int | None = None) -> list[str]:
    """Lines of an aligned table at most `total` columns wide (default: the terminal's; no
    limit when not on a terminal).

    When it does not fit, the columns listed in `shrink` (indexes) give up width, widest
    first, down to 4 columns; their values (and headers) are clipped with an ellipsis."""
    total = total or terminal_width()
    cells = [[safe(v) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    floor = [min(widths[i], 4) for i in range(len(headers))]
    excess = 0 if total is None else sum(widths) + len(GAP) * (len(widths) - 1) - total
    while excess > 0:
        candidates = [i for i in shrink if widths[i] > floor[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    last = len(headers) - 1

    def line(values: list[str], head: bool = False) -> str:
        parts = []
        for i, value in enumerate(values):
            value = clip(value, widths[i])
            parts.append(value if i == last else pad(value, widths[i]))
        text = GAP.join(parts).rstrip()
        return bold(text) if head else text

    return [line(headers, True)] + [line(r) for r in cells]


def fields(pairs: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    """label  value lines, labels padded to one width, values clipped to the terminal (whole
    when not on one)."""
    if not pairs:
        return []
    label_width = max(width(label) for label, _ in pairs)
    columns = terminal_width()
    room = None if columns is None else max(10, columns - len(indent) - label_width - len(GAP))
    lines = []
    for label, value in pairs:
        text = safe(value)
        text = text if room is None else clip(text, room)
        lines.append(f"{indent}{pad(label, label_width)}{GAP}{text}".rstrip())
    return lines


def json_value(kind: str, value):
    """A stored card value as `--json` gives it: money in yuan and rates in percent as JSON
    numbers (kept as integer fen and hundredths), counts as numbers, flags as booleans, dates
    as ISO strings; an empty text as "", any other empty value as null."""
    if value is None:
        return "" if kind in ("text", "class", "choice") else None
    if kind in ("money", "percent") and isinstance(value, int):
        whole, cents = divmod(value, 100)
        return whole if not cents else value / 100  # exact: |fen| < 2**53 (db.values.money)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def dump_json(data) -> None:
    """`data` printed as JSON, Chinese as it is; a date met anywhere as its ISO string."""
    print(json.dumps(data, ensure_ascii=False, indent=2,
                     default=lambda v: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v)))
