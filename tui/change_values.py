"""A history row's stored values as the card shows them: money in yuan, rates in percent,
classes as code and name, a merge's codes as a list. Shared by the history widget and
`kehu log`; plain text, no textual."""
from __future__ import annotations

from db.archive import classes
from db.archive.dimensions import DERIVED
from db.archive.history import MERGED
from db.core.models import MAIN_DIMENSION
from db.evaluation.parameters import SPEC, format_rule
from db.values.fields import BY_KEY
from db.values.money import format_money, format_percent
from tui.i18n import CATALOG, name_of, t

DIMENSION_PREFIX = "dimension:"


def dimension_field(field: str) -> str | None:
    """The dimension a customer's changed `field` names, other than the main one's class_code:
    "dimension:region", or a derived dimension's own code (an evaluation writes
    {history: [old, new]})."""
    if field.startswith(DIMENSION_PREFIX):
        return field[len(DIMENSION_PREFIX):]
    return field if field in DERIVED else None


def _dimension_of(entity: str, field: str) -> str | None:
    """The dimension whose class a customer's changed `field` holds, if it holds one."""
    if entity != "customer":
        return None
    return MAIN_DIMENSION if field == "class_code" else dimension_field(field)


def field_name(field: str) -> str:
    """A changed field's label: a card field, a dimension ("dimension:region"), or as stored."""
    code = dimension_field(field)
    if code is not None:
        try:
            dim = classes.dimension(code)
        except Exception:  # a dimension deleted since: show its code
            return code
        return name_of(dim)
    key = f"customer.field.{field}"
    if key in CATALOG:
        return t(key)
    # A sub-record's field ("contacts.mobile") or the record it names ("contacts").
    return t(f"sub.{field}") if f"sub.{field}" in CATALOG else field


def import_field_name(kind: str, field: str) -> str:
    """A field of an import (of customers, classes or sales) named in the language in force,
    whatever the file's header called it: a customer's as the card names it."""
    from db.values.columns import COLUMNS, DIMENSION_PREFIX as IMPORT_DIMENSION
    from tui.i18n import lang

    if kind == "customers":
        if field.startswith(IMPORT_DIMENSION):
            return field_name(DIMENSION_PREFIX + field[len(IMPORT_DIMENSION):])
        return field_name(field)
    column = next((c for c in COLUMNS.get(kind, ()) if c.field == field), None)
    return column.header(lang()) if column else field


def _number(kind: str, value) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return format_money(number) if kind == "money" else f"{format_percent(number)}%"


def values_text(entity: str, code: str, changes: dict) -> dict[str, tuple[str, str]]:
    """{field: (old, new)} as text, "" for an empty value (the caller says how empty reads)."""
    by_dimension: dict[str, set] = {}
    for field, pair in changes.items():
        dim = _dimension_of(entity, field)
        if dim is not None:
            by_dimension.setdefault(dim, set()).update(pair)
    names = {dim: classes.names(dim, codes) for dim, codes in by_dimension.items()}

    def text(field: str, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        dim = _dimension_of(entity, field)
        if dim is not None:
            name = names.get(dim, {}).get(value)
            return f"{value} {name}" if name else str(value)
        if field == "approval" and f"request.status.{value}" in CATALOG:  # db.archive.approval.STATUS
            return t(f"request.status.{value}")
        if entity == "rule" and code in SPEC:
            return format_rule(code, value)
        spec = BY_KEY.get(field) if entity == "customer" else None
        if spec is not None and spec.kind in ("money", "percent"):
            return _number(spec.kind, value)
        return str(value)

    return {field: (text(field, old), text(field, new)) for field, (old, new) in changes.items()
            if field != MERGED}


def merged_codes(changes: dict) -> str:
    """The codes a merge row lists as merged into its customer ("" when it is no merge)."""
    pair = changes.get(MERGED)
    return ", ".join(str(v) for v in pair[1]) if pair and pair[1] else ""
