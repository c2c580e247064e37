"""The kind of a file (customers, classes or sales) told by its titles, as a person does:
kehu's own in either language, U8's, and the other names db.values.columns knows (and, for
customers, the archive's dimensions by name or code).

The kind that knows the most of the titles is taken; between two that know as many, the one
whose required columns are all there. So an English customer list is customers although
"Code" and "Name" are also a class file's two required columns, and a customer update file
of 客户编码, 客户名称, 所属分类码 (no 客户简称: it adds nobody) is customers still. A kind
known by one title only, or two kinds known alike, is no kind: one line names the titles
found and each kind's required ones.
"""
from __future__ import annotations

from pathlib import Path

from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Dimension
from db.transfer.importer.common import KINDS
from db.transfer.tabular import header_of, matched
from db.values.columns import COLUMNS, DIMENSION_PREFIX, SHEETS


def dimension_titles(dims) -> dict[str, str]:
    """The titles of a customer file's dimension columns: each dimension's names and code."""
    extra = {}
    for d in dims:
        for name in (d.name_zh, d.name_en, d.code):
            extra[name] = DIMENSION_PREFIX + d.code
    return extra


def _typed_dimensions():
    return Dimension.select().where(Dimension.code != MAIN_DIMENSION, Dimension.derived == False)  # noqa: E712


def scores(headers: list[str]) -> list[tuple[int, bool, str]]:
    """(titles known, required ones all there, kind) of every kind, the best first."""
    extra = {"customers": dimension_titles(_typed_dimensions())}
    found = []
    for kind in KINDS:
        fields = matched(headers, COLUMNS[kind], extra.get(kind))[0]
        full = all(c.field in fields for c in COLUMNS[kind] if c.required)
        found.append((len(fields), full, kind))
    return sorted(found, key=lambda s: (-s[0], not s[1], KINDS.index(s[2])))


def required_titles(kind: str, lang: str) -> str:
    """A kind's required titles, in kehu's Chinese or English words."""
    return ", ".join(c.header(lang) for c in COLUMNS[kind] if c.required)


def detect(path: str | Path, headers: list[str] | None = None) -> str:
    """The kind of the table at `path` (see the module); refused in one line naming the
    titles found and each kind's required ones when none is told."""
    headers = header_of(path) if headers is None else headers
    (count, full, kind), (second, second_full, _) = scores(headers)[:2]
    if (full or count >= 2) and (count, full) != (second, second_full):
        return kind
    found = ", ".join(h for h in headers if h)[:200]
    # Each kind named as a whole-archive workbook names its sheet (客户档案 / Customers).
    expected = {lang: "; ".join(f"{SHEETS[k][i]}: {required_titles(k, lang)}" for k in KINDS)
                for i, lang in enumerate(("zh", "en"))}
    raise RuleError("import.no_kind", path=str(path), headers=found,
                    expected_zh=expected["zh"], expected_en=expected["en"])
