"""The planning entry: what importing a file would do, by kind; reads the archive, writes nothing."""
from __future__ import annotations

from pathlib import Path

from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Dimension
from db.core.objects import many_objects
from db.transfer.importer.classes import plan_classes
from db.transfer.importer.common import KINDS, ImportPlan
from db.transfer.importer.customers import CustomerPlanner
from db.transfer.importer.kinds import detect
from db.transfer.importer.sales import plan_sales
from db.transfer.importer.subrecords import KINDS as SUB_KINDS, plan_subrecords


def plan(path: str | Path, kind: str | None = None, dimension: str = MAIN_DIMENSION, *,
         blank_clears: bool = False) -> ImportPlan:
    """What importing `path` would do; reads the archive, writes nothing. The kind, when
    not given, is told by the file's titles (importer.kinds).

    An empty cell of a row that updates a customer or a class keeps the stored value, unless
    `blank_clears` (then it clears it, to the field's default)."""
    if kind is None:
        kind = detect(path)
    if kind in SUB_KINDS:
        with many_objects():
            return plan_subrecords(path, kind)
    if kind not in KINDS:
        raise RuleError("import.bad_kind", kind=kind)
    if kind != "classes":
        _check_dimension(dimension)
    with many_objects():
        if kind == "customers":
            result = CustomerPlanner(path, blank_clears).run()
        elif kind == "classes":
            result = plan_classes(path, dimension, blank_clears)
        else:
            result = plan_sales(path)
    result.blank_clears = blank_clears
    return result


def _check_dimension(code: str) -> None:
    """A customer or sales import names no dimension but might be given one: an unknown one
    is refused, naming those there are, rather than ignored (a class import may create it)."""
    known = [c for (c,) in Dimension.select(Dimension.code).order_by(Dimension.id).tuples()]
    if code not in known:
        raise RuleError("import.unknown_dimension", dimension=code, known=", ".join(known))
