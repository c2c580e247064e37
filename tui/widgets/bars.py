"""Horizontal bars drawn with block characters, an eighth of a cell at a time."""
from __future__ import annotations

from rich.cells import cell_len

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

