"""Horizontal bars drawn with block characters, an eighth of a cell at a time, and columns
measured in terminal cells (a Chinese character takes two)."""
from __future__ import annotations

from rich.cells import cell_len, set_cell_size

EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def bar(value: int, largest: int, width: int) -> str:
    """A bar of `value` against `largest` filling at most `width` cells, padded to `width`.
    A value above zero always shows at least an eighth, so it is not mistaken for none."""
    if value <= 0 or largest <= 0 or width <= 0:
        return " " * max(width, 0)
    eighths = max(1, round(value * width * 8 / largest))
    full, part = divmod(min(eighths, width * 8), 8)
    drawn = "█" * full + EIGHTHS[part]
    return drawn + " " * (width - cell_len(drawn))


def left(text: str, width: int) -> str:
    """`text` in exactly `width` cells, cut with an ellipsis when too wide."""
    if cell_len(text) > width:
        return set_cell_size(text, max(width - 1, 0)) + "…"
    return text + " " * (width - cell_len(text))


def right(text: str, width: int) -> str:
    """`text` right-aligned in `width` cells (never cut: numbers must stay whole)."""
    return " " * max(width - cell_len(text), 0) + text
