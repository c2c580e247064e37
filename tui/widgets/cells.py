"""Text laid out in terminal cells (a Chinese character takes two, rich.cells), the one way
every column of the UI is padded or cut, and values made safe to draw."""
from __future__ import annotations

from typing import Literal

from rich.cells import cell_len, set_cell_size

Align = Literal["left", "right"]


def pad(text: str, width: int, align: Align = "left") -> str:
    """`text` padded with spaces to `width` cells: left-aligned (spaces after) or
    right-aligned (spaces before). Never cut: a number must stay whole."""
    gap = " " * max(width - cell_len(text), 0)
    return gap + text if align == "right" else text + gap


def fit(text: str, width: int, align: Align = "left") -> str:
    """`text` in exactly `width` cells: cut with an ellipsis when too wide, else padded."""
    if cell_len(text) > width:
        return set_cell_size(text, max(width - 1, 0)) + "…"
    return pad(text, width, align)


def visible_text(value: str) -> str:
    """`value` with every control character shown as a symbol (ESC as ␛, a line feed as ␊):
    written to the terminal as-is, an ESC would start an escape sequence."""
    if value.isprintable():
        return value
    out = []
    for ch in value:
        code = ord(ch)
        if code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif not ch.isprintable() and ch != " ":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)
