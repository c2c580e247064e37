"""Coding schemes (编码方案): "2-3-4" means level-1 codes have 2 characters, level 2 has 2+3...

U8's limits: at most 5 levels, 1 to 9 characters per level, at most 12 characters in all.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from db.core.errors import RuleError

MAX_LEVELS = 5
MAX_PER_LEVEL = 9
MAX_TOTAL = 12
CODE_CHARS = re.compile(r"^[A-Za-z0-9]+$")


class CodingScheme(NamedTuple):
    widths: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> "CodingScheme":
        """Parse "2-3-4" (also "2 3 4" or "234" for single-digit widths)."""
        text = (text or "").strip()
        if not text:
            raise RuleError("scheme.empty", field="scheme")
        if re.fullmatch(r"\d+", text) and len(text) > 1:
            parts = list(text)
        else:
            parts = [p for p in re.split(r"[-\s,]+", text) if p]
        if not all(p.isdigit() for p in parts):
            raise RuleError("scheme.format", field="scheme", text=text)
        widths = tuple(int(p) for p in parts)
        if len(widths) > MAX_LEVELS:
            raise RuleError("scheme.too_many_levels", field="scheme", levels=len(widths), max=MAX_LEVELS)
        for level, width in enumerate(widths, 1):
            if not 1 <= width <= MAX_PER_LEVEL:
                raise RuleError("scheme.level_width", field="scheme", level=level, width=width,
                                max=MAX_PER_LEVEL)
        if sum(widths) > MAX_TOTAL:
            raise RuleError("scheme.too_long", field="scheme", total=sum(widths), max=MAX_TOTAL)
        return cls(widths)

    def __str__(self) -> str:
        return "-".join(str(w) for w in self.widths)

    @property
    def levels(self) -> int:
        return len(self.widths)

    def length(self, level: int) -> int:
        """Total code length at `level` (1-based)."""
        return sum(self.widths[:level])

    def level_of(self, code: str) -> int | None:
        """The level a code of this length sits on, or None when it ends between boundaries."""
        total = 0
        for level, width in enumerate(self.widths, 1):
            total += width
            if len(code) == total:
                return level
        return None

    def parent_of(self, code: str) -> str | None:
        """The parent's code (the code cut at the previous level), None at level 1."""
        level = self.level_of(code)
        if level is None or level == 1:
            return None
        return code[: self.length(level - 1)]

    def check_code(self, code: str, parent: str | None) -> int:
        """Check `code` as a child of `parent` (None: level 1); return its level.

        Raises a RuleError saying what is expected, for example that a level-2 code has
        5 characters: the parent's 2 and 3 more.
        """
        if not code:
            raise RuleError("class.code_required", field="code")
        if not CODE_CHARS.match(code):
            raise RuleError("class.code_chars", field="code", code=code)
        level = 1 if parent is None else (self.level_of(parent) or 0) + 1
        if level > self.levels:
            raise RuleError("class.too_deep", field="code", levels=self.levels, parent=parent)
        expected = self.length(level)
        if parent is not None and not code.startswith(parent):
            raise RuleError("class.code_prefix", field="code", code=code, parent=parent)
        if len(code) != expected:
            if parent is None:
                raise RuleError("class.code_length_top", field="code", code=code, expected=expected)
            raise RuleError("class.code_length", field="code", code=code, level=level,
                            expected=expected, parent=parent, width=self.widths[level - 1])
        return level
